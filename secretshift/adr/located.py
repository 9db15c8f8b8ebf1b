"""Values that remember where they were written: YAML and JSON documents with line numbers.

YAML and JSON go through PyYAML's composer (the C one when present), which keeps every node's
position and knows nothing of tags, so CloudFormation's short-form intrinsics (``!Ref``,
``!Sub``...) are read as their long form (``{"Ref": ...}``) and any other tag is ignored.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class LDict(dict[str, Any]):
    """A mapping with the 1-based line of itself and of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


@dataclass(frozen=True)
class Expr:
    """A Terraform expression that is not a plain value: its source text, the references it
    makes (``var.x``, ``data.aws_...``), and for a string template its text with ``${...}``."""

    text: str
    refs: tuple[str, ...]
    line: int
    template: str | None = None


def line_of(value: Any, default: int) -> int:
    if isinstance(value, (LDict, LList)):
        return value.line
    if isinstance(value, Expr):
        return value.line
    return default


_SHORT_TAGS = {"!Ref": "Ref", "!Condition": "Condition"}


def _intrinsic(tag: str, value: Any, line: int) -> LDict:
    name = _SHORT_TAGS.get(tag, "Fn::" + tag[1:])
    if name == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    wrapped = LDict(line)
    wrapped[name] = value
    wrapped.key_lines[name] = line
    return wrapped


class _Builder:
    def __init__(self) -> None:
        self._seen: dict[int, Any] = {}  # aliases share one value: no "billion laughs" blow-up

    def build(self, node: yaml.Node) -> Any:
        known = self._seen.get(id(node))
        if known is not None:
            return known
        value = self._build(node)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self._seen[id(node)] = value
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            return _intrinsic(tag, value, node.start_mark.line + 1)
        return value

    def _build(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping = LDict(line)
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" and isinstance(value_node, yaml.MappingNode):
                    merged = self.build(value_node)
                    for key, item in merged.items():
                        mapping.setdefault(key, item)
                        mapping.key_lines.setdefault(key, merged.line_of(key))
                    continue
                key = self.build(key_node)
                key_text = key if isinstance(key, str) else str(key)
                mapping[key_text] = self.build(value_node)
                mapping.key_lines[key_text] = key_node.start_mark.line + 1
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence = LList(line)
            for item in node.value:
                sequence.append(self.build(item))
                sequence.item_lines.append(item.start_mark.line + 1)
            return sequence
        return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    text = str(node.value)
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def load_documents(text: str, is_json: bool = False) -> Iterator[Any]:
    """Every document of a YAML stream (or the one of a JSON file), with lines.

    Raises :class:`yaml.YAMLError` on text that is not YAML/JSON."""
    if is_json:
        text = text.replace("\t", " ")  # JSON allows tabs between tokens; YAML does not
    for node in yaml.compose_all(text, Loader=_Loader):
        if node is not None:
            # One builder per document: its alias memo is keyed by id(node), and the nodes of a
            # finished document are freed, so their ids come back in the next one.
            yield _Builder().build(node)
