"""Where scalars sit in a YAML (or JSON) text: path, exact character span, quoting style.

Rewriters edit YAML by splicing the text at these spans, so everything they do not touch keeps
its bytes: comments, quoting, indentation, intrinsic-function tags like ``!Ref``.
ruamel.yaml is imported here lazily; the commit-hook path never loads this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, char_span

PathPart = str | int
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_$./=+-][^#:{}\[\],&*!|>'\"%`]*")
# Plain scalars YAML would read as something other than a string (YAML 1.1 and 1.2 readers).
_NOT_A_STRING = re.compile(
    r"(?i:true|false|yes|no|on|off|y|n|null|~)|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
    r"|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?i:inf)|\.(?i:nan)|\d+:\d+(:\d+)*"
    r"|=|<<|-\s.*|-"  # YAML 1.1's value and merge keys; a leading "- " opens a sequence
)


@dataclass(frozen=True)
class Scalar:
    doc: int
    path: tuple[PathPart, ...]
    start: int  # the whole node: tag, quotes and block indicators included
    end: int
    style: str | None  # None (plain), '"', "'", '|', '>'
    tag: str
    value: str


@dataclass(frozen=True)
class Document:
    start: int
    end: int
    root: Any  # the composed ruamel node


def _yaml() -> Any:
    from ruamel.yaml import YAML

    return YAML()


def documents(text: str) -> list[Document]:
    try:
        return [Document(n.start_mark.index, n.end_mark.index, n) for n in _yaml().compose_all(text) if n]
    except Exception as exc:  # ruamel raises many error types; the message carries no values
        raise RewriteRefused(f"not valid YAML: {type(exc).__name__}") from None


def scalars(text: str) -> list[Scalar]:
    found: list[Scalar] = []
    for index, doc in enumerate(documents(text)):
        _walk(doc.root, index, (), found)
    return found


def _tag(node: Any) -> str:
    return str(getattr(node.tag, "value", node.tag))


def _walk(node: Any, doc: int, path: tuple[PathPart, ...], out: list[Scalar]) -> None:
    kind = type(node).__name__
    if kind == "MappingNode":
        for key, value in node.value:
            _walk(value, doc, (*path, str(key.value)), out)
    elif kind == "SequenceNode":
        for position, item in enumerate(node.value):
            _walk(item, doc, (*path, position), out)
    elif kind == "ScalarNode":
        out.append(Scalar(doc, path, node.start_mark.index, node.end_mark.index, node.style or None,
                          _tag(node), str(node.value)))


def scalar_for(text: str, ref: Reference, found: list[Scalar] | None = None) -> Scalar:
    """The scalar holding ``ref``'s value (the last one starting at or before the value)."""
    start, end = char_span(text, ref)
    best: Scalar | None = None
    for scalar in found if found is not None else scalars(text):
        if scalar.start <= start and end <= scalar.end and (best is None or scalar.start >= best.start):
            best = scalar
    if best is None:
        raise RewriteRefused(f"{ref.path}:{ref.line}: no YAML value at the planned position")
    return best


def whole(text: str, ref: Reference, scalar: Scalar) -> bool:
    """True when the reference is the scalar's entire value (not a part of a longer string)."""
    start, end = char_span(text, ref)
    return text[start:end] == scalar.value


def render(value: str, style: str | None) -> str:
    """``value`` as a YAML scalar, in the original style when that style can hold it."""
    if style is None and _PLAIN_SAFE.fullmatch(value) and not _NOT_A_STRING.fullmatch(value) \
            and not value.endswith(" ") and _printable(value):
        return value
    if style == "'" and _printable(value):
        return "'" + value.replace("'", "''") + "'"
    return double_quoted(value)


def _printable(value: str) -> bool:
    return all(_is_printable(char) and char not in "\n\r" for char in value)


def _is_printable(char: str) -> bool:
    # YAML's printable set, minus the characters it treats as line breaks (NEL, LS, PS) and the BOM.
    code = ord(char)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and char not in "\u2028\u2029\ufeff"


def double_quoted(value: str) -> str:
    """A double-quoted scalar valid both as YAML and as a JSON string (CloudFormation JSON, configs)."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif _is_printable(char):
            out.append(char)
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise RewriteRefused("a value holds a lone surrogate; it cannot be written as YAML")
        else:
            out.append(f"\\u{ord(char):04x}")
    out.append('"')
    return "".join(out)


def replace_scalar(text: str, ref: Reference, scalar: Scalar, new_value: str) -> tuple[int, int, str]:
    """An edit putting ``new_value`` where ``ref`` is: the whole scalar or just the referenced part."""
    if whole(text, ref, scalar):
        original = text[scalar.start:scalar.end]
        trailing = original[len(original.rstrip("\n")):] if scalar.style in ("|", ">") else ""
        tag = "" if scalar.tag.startswith("tag:yaml.org") else scalar.tag + " "
        return scalar.start, scalar.end, tag + render(new_value, scalar.style) + trailing
    if scalar.style in ("|", ">") or (scalar.style == '"' and '"' in new_value):
        raise RewriteRefused(f"{ref.path}:{ref.line}: the value is embedded in a string this rewriter cannot edit safely")
    start, end = char_span(text, ref)
    return start, end, new_value.replace("'", "''") if scalar.style == "'" else new_value


def checked(path: str, text: str) -> str:
    """``text`` if it still parses as YAML; a rewrite that would break the file is refused."""
    if not parses(text):
        raise RewriteRefused(f"{path}: the rewritten file would not parse; left untouched")
    return text


def parses(text: str) -> bool:
    try:
        for _ in _yaml().compose_all(text):
            pass
    except Exception:
        return False
    return True
