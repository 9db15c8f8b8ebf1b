"""Helpers for rewriter tests: references built from the text, parse checks per file type."""
from __future__ import annotations

import configparser
import json
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteResult, RewriteSettings, Rewriter

SETTINGS = RewriteSettings(region="eu-west-1", github_role_arn="arn:aws:iam::123456789012:role/ci-secrets")


def ref_to(text: str, literal: str, secret: str, json_key: str, path: str, *, occurrence: int = 0,
           key: str | None = None, key_path: str | None = None, kind: str | None = None,
           encoding: str | None = None) -> Reference:
    """A reference to the ``occurrence``-th place ``literal`` is written in ``text`` (as a scan reports it)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(literal, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Reference(path, line, column, line, column + len(literal), secret, json_key,
                     key=key or json_key, key_path=key_path, kind=kind, encoding=encoding)


def rewrite_twice(rewriter: Rewriter, path: str, text: str, refs: Sequence[Reference],
                  settings: RewriteSettings = SETTINGS) -> RewriteResult:
    """Rewrite, then check idempotence: the output, rewritten again, stays the same.

    A second run sees the references a fresh scan of the output yields: none, since every migrated
    literal has left the file (checked here for each one).
    """
    result = rewriter.rewrite(path, text, refs, settings)
    for ref in refs:
        lines = text.splitlines()
        literal = lines[ref.line - 1][ref.column - 1:ref.end_column - 1]
        assert literal not in result.text, f"{literal!r} is still in the output"
    again = rewriter.rewrite(path, result.text, [], settings)
    assert again.text == result.text
    return result


def parses_yaml(text: str) -> list[object]:
    from ruamel.yaml import YAML

    return list(YAML(typ="safe").load_all(text))


def parses_json(text: str) -> object:
    return json.loads(text)


def parses_toml(text: str) -> object:
    from secretshift.scanner.rules import load_toml  # tomllib, or tomli before Python 3.11

    return load_toml(text, "rewritten.toml")


def parses_ini(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def parses_properties(text: str) -> dict[str, str]:
    """Java properties, the subset our fixtures use: key=value / key: value lines and comments."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#!":
            continue
        separator = min((i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1)
        assert separator > 0, f"not a property line: {line!r}"
        values[stripped[:separator].strip()] = stripped[separator + 1:].strip()
    return values


def tree_sitter_errors(language: str, text: str) -> bool:
    """True when tree-sitter's grammar finds a syntax error (Go, TypeScript)."""
    import tree_sitter

    if language == "go":
        import tree_sitter_go as grammar

        lang = tree_sitter.Language(grammar.language())
    else:
        import tree_sitter_typescript as ts_grammar

        lang = tree_sitter.Language(ts_grammar.language_typescript())
    tree = tree_sitter.Parser(lang).parse(text.encode())
    return bool(tree.root_node.has_error)
