"""Terraform files read into located blocks with python-hcl2's parser (its Lark tree keeps
positions). Expressions become Python values where they are plain (strings, numbers, objects,
lists, ``jsonencode(...)`` of those, heredocs) and :class:`Expr` elsewhere."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from secretshift.adr.located import Expr, LDict, LList

_REF = re.compile(r"(?<![\w.])((?:data\.)?[a-z][\w-]*\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w-]+)*)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class HclAttr:
    name: str
    value: Any
    line: int
    end_line: int
    start_pos: int = 0
    end_pos: int = 0  # of the whole attribute, "name = value"


@dataclass
class HclBlock:
    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    start_pos: int
    end_pos: int
    attrs: dict[str, HclAttr] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)

    @property
    def address(self) -> str:
        """``aws_eks_cluster.main``, ``data.aws_iam_policy_document.read``, ``variable.db_password``."""
        if self.type == "resource":
            return ".".join(self.labels[:2])
        if self.type in ("data", "module"):
            return ".".join((self.type, *self.labels[:2]))
        return ".".join((self.type, *self.labels[:1]))

    def get(self, name: str, default: Any = None) -> Any:
        attr = self.attrs.get(name)
        return default if attr is None else attr.value

    def sub(self, kind: str) -> list[HclBlock]:
        return [b for b in self.blocks if b.type == kind]


def parse_terraform(text: str) -> list[HclBlock]:
    """Top-level blocks of one .tf file. Raises on text that is not HCL."""
    import hcl2
    from lark import Tree

    if not text.endswith("\n"):
        text += "\n"  # the grammar wants a newline after the last heredoc
    tree: Tree[Any] = hcl2.parses_to_tree(text)
    return _Reader(text).body(tree.children[0])


def refs_in(text: str) -> tuple[str, ...]:
    cleaned = re.sub(r'"(?:[^"\\$]|\\.)*"', '""', text)  # string literals hold no references
    return tuple(dict.fromkeys(m.group(1) for m in _REF.finditer(cleaned)
                               if not m.group(1).split(".")[0].isdigit()))


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def _source(self, node: Any) -> str:
        if hasattr(node, "meta") and not node.meta.empty:
            return self.text[node.meta.start_pos:node.meta.end_pos]
        return str(node)

    def _line(self, node: Any) -> int:
        if hasattr(node, "meta"):
            return int(getattr(node.meta, "line", 1))
        return int(getattr(node, "line", 1))

    def body(self, body: Any) -> list[HclBlock]:
        return [self.block(child) for child in body.children if _kind(child) == "block"]

    def block(self, node: Any) -> HclBlock:
        names: list[str] = []
        block = HclBlock("", (), node.meta.line, node.meta.end_line, node.meta.start_pos, node.meta.end_pos)
        for child in node.children:
            kind = _kind(child)
            if kind in ("identifier", "keyword", "literal_value"):
                names.append(_token_text(child))
            elif kind == "string":
                names.append(str(self.value(child)))
            elif kind == "body":
                for item in child.children:
                    item_kind = _kind(item)
                    if item_kind == "attribute":
                        attr = self.attribute(item)
                        block.attrs[attr.name] = attr
                    elif item_kind == "block":
                        block.blocks.append(self.block(item))
        block.type, block.labels = names[0], tuple(names[1:])
        return block

    def attribute(self, node: Any) -> HclAttr:
        name = _token_text(node.children[0])
        expression = node.children[-1]
        return HclAttr(name, self.value(expression), node.meta.line, node.meta.end_line,
                       node.meta.start_pos, node.meta.end_pos)

    def _expr(self, node: Any, template: str | None = None) -> Expr:
        source = self._source(node)
        return Expr(source, refs_in(source if template is None else template.replace('"', "")), self._line(node), template)

    def value(self, node: Any) -> Any:  # noqa: C901 - one branch per HCL expression kind
        kind = _kind(node)
        if kind == "expr_term":
            inner = [c for c in node.children if _kind(c) not in ("LPAR", "RPAR", "new_line_or_comment")]
            return self.value(inner[0]) if len(inner) == 1 else self._expr(node)
        if kind == "string":
            return self._string(node)
        if kind == "object":
            return self._object(node)
        if kind == "tuple":
            items = LList(self._line(node))
            for child in node.children:
                if _kind(child) in ("expr_term", "conditional", "binary_op", "unary_op") or hasattr(child, "data") and child.data not in ("new_line_or_comment",):
                    items.append(self.value(child))
                    items.item_lines.append(self._line(child))
            return items
        if kind == "function_call":
            return self._call(node)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(node)
        if kind == "int_lit":
            return int(_token_text(node))
        if kind == "float_lit":
            return float(_token_text(node))
        if kind == "literal_value":
            return {"true": True, "false": False}.get(_token_text(node))
        return self._expr(node)

    def _string(self, node: Any) -> Any:
        parts = [c for c in node.children if _kind(c) == "string_part"]
        pieces: list[str] = []
        for part in parts:
            token = part.children[0]
            if _kind(token) not in ("STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                source = self._source(node)
                return self._expr(node, template=source[1:-1])
            pieces.append(re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), str(token)))
        return "".join(pieces)

    def _object(self, node: Any) -> LDict:
        mapping = LDict(self._line(node))
        for elem in node.children:
            if _kind(elem) != "object_elem":
                continue
            key_node = elem.children[0]
            key = self.value(key_node.children[0]) if _kind(key_node) == "object_elem_key" else self.value(key_node)
            if isinstance(key, Expr):
                key = key.text
            name = str(key)
            mapping[name] = self.value(elem.children[-1])
            mapping.key_lines[name] = self._line(elem)
        return mapping

    def _call(self, node: Any) -> Any:
        name = _token_text(node.children[0])
        arguments = [c for c in node.children if _kind(c) == "arguments"]
        args = [self.value(a) for a in arguments[0].children if hasattr(a, "data")] if arguments else []
        if name == "jsonencode" and len(args) == 1:
            return args[0]
        if name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
            import json

            try:
                return json.loads(args[0])
            except ValueError:
                pass
        return self._expr(node)

    def _heredoc(self, node: Any) -> Any:
        raw = _token_text(node)
        lines = raw.split("\n")
        body_lines = lines[1:-2] if len(lines) >= 3 else []
        if raw.startswith("<<-"):
            indents = [len(x) - len(x.lstrip()) for x in body_lines if x.strip()]
            cut = min(indents, default=0)
            body_lines = [x[cut:] for x in body_lines]
        body = "\n".join(body_lines) + ("\n" if body_lines else "")
        if "${" in body.replace("$${", ""):
            return Expr(raw, refs_in(body), self._line(node), template=body)
        return body.replace("$${", "${")


def _kind(node: Any) -> str:
    data = getattr(node, "data", None)
    if data is not None:
        return str(data)
    return str(getattr(node, "type", ""))


def _token_text(node: Any) -> str:
    while hasattr(node, "children"):
        node = node.children[0]
    return str(node)
