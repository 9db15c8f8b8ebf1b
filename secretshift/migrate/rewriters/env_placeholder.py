"""Properties (incl. Spring), INI and TOML files.

- ``.properties``: the value becomes a ``${ENV_VAR}`` placeholder, which Spring resolves from the
  environment by itself (``${SPRING_DATASOURCE_PASSWORD}``); names come from the full key path.
- TOML and INI readers do not expand ``${...}``, so no fake placeholder is written: the value is
  emptied and a comment line above it names the lookup (secret, key) and a distinct environment
  variable per key (section + key: ``DATABASE_PASSWORD``, ``BROKER_PASSWORD``) for the application
  to read.
Quotes and everything else on the line stay as they were.
"""
from __future__ import annotations

import configparser
from collections.abc import Sequence

from secretshift.errors import FatalError

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span
from secretshift.migrate.rewriters.common import apply_edits, basename, env_key, env_name

SPRING_NOTE = (
    "Spring can also read the secret directly: with Spring Cloud AWS, "
    "spring.config.import=aws-secretsmanager:{name} exposes its JSON keys as properties"
)

INI_NOTE = (
    "INI has no standard variable syntax: expand ${VAR} with os.path.expandvars (or envsubst at deploy) "
    "before parsing; Python's configparser ExtendedInterpolation would read ${VAR} as another option"
)


class EnvPlaceholderRewriter:
    name = "env-placeholder"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith((".properties", ".ini", ".cfg", ".conf", ".toml")) and basename(path) != "pyproject.toml"

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        edits = []
        notes = []
        for ref in refs:
            start, end = char_span(text, ref)
            variable = env_name(ref)
            if path.endswith((".toml", ".ini", ".cfg", ".conf")):
                section = _section(text, start)
                if section and not variable.startswith(env_key(section)):
                    variable = f"{env_key(section)}_{variable}"
                line_start = text.rfind("\n", 0, start) + 1
                indent = text[line_start:start][: len(text[line_start:start]) - len(text[line_start:start].lstrip(" \t"))]
                marker = "#" if path.endswith(".toml") else ";"
                comment = (f"{indent}{marker} {ref.key or variable}: in AWS Secrets Manager, secret "
                           f"\"{ref.secret_name}\", JSON key \"{ref.json_key}\" (environment: {variable})\n")
                edits.append((line_start, line_start, comment))
                edits.append((start, end, ""))
                notes.append(f"{path}: {variable} must be read from AWS Secrets Manager secret {ref.secret_name} "
                             f"(key {ref.json_key}) by the application or its deploy step; the file holds no value")
                continue
            edits.append((start, end, "${" + variable + "}"))
            notes.append(f"{path}: set {variable} in the environment from AWS Secrets Manager secret "
                         f"{ref.secret_name} (key {ref.json_key})")
            if path.endswith(".properties") and basename(path).startswith(("application", "bootstrap")):
                notes.append(SPRING_NOTE.format(name=ref.secret_name))
        return RewriteResult(_checked(path, apply_edits(text, edits)), notes=tuple(dict.fromkeys(notes)))


def _checked(path: str, text: str) -> str:
    """The rewritten text, if it still parses in its format (TOML, INI); else the rewrite is refused."""
    from secretshift.scanner.rules import load_toml  # tomllib, or tomli before Python 3.11

    try:
        if path.endswith(".toml"):
            load_toml(text, path)
        elif path.endswith((".ini", ".cfg")):
            configparser.RawConfigParser(strict=False).read_string(text)
    except (FatalError, configparser.Error):
        raise RewriteRefused(f"{path}: the rewritten file would not parse; left untouched") from None
    return text


def _section(text: str, offset: int) -> str | None:
    """The `[section]` (TOML table or INI section) ``offset`` is in."""
    import re

    header = None
    for match in re.finditer(r"(?m)^[ \t]*\[\[?([^\]\n]+)\]\]?[ \t]*(?:[#;].*)?$", text[:offset]):
        header = match.group(1).strip().strip('"')
    return header
