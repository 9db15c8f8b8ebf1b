"""Terraform fixers: insertions at positions the HCL parser reported."""
from __future__ import annotations

from dataclasses import dataclass

from secretshift.adr.hcl import HclBlock, parse_terraform
from secretshift.adr.model import Violation

ROTATION_TAGS = (('"rotation-period-days"', '"90"'), ('"rotation-mode"', '"manual"'))


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def _indent_at(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos]
    return line[: len(line) - len(line.lstrip())]


def _insert_in_block(text: str, block: HclBlock, lines: list[str]) -> Edit:
    """Lines (already indented one level, relative to the block) before the block's ``}``."""
    close = block.end_pos - 1
    indent = _indent_at(text, block.start_pos)
    body = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    line_start = text.rfind("\n", 0, close) + 1
    if text[line_start:close].strip() == "":
        return Edit(line_start, line_start, body)
    # A one-line block (`output "x" { value = y }`) holds one attribute at most: open it up.
    opening = text.index("{", block.start_pos)
    inner = text[opening + 1:close].strip()
    kept = f"{indent}  {inner}\n" if inner else ""
    return Edit(opening + 1, close + 1, "\n" + kept + body + indent + "}")


def _find(blocks: list[HclBlock], address: str) -> HclBlock | None:
    return next((b for b in blocks if b.address == address), None)


def _eks(text: str, blocks: list[HclBlock], block: HclBlock) -> list[Edit]:
    name = block.labels[1]
    key = f"{name}_secrets"
    lines = ["  encryption_config {", '    resources = ["secrets"]', "    provider {",
             f"      key_arn = aws_kms_key.{key}.arn", "    }", "  }"]
    edits = [_insert_in_block(text, block, lines)]
    if _find(blocks, f"aws_kms_key.{key}") is None:
        indent = _indent_at(text, block.start_pos)
        resource = (f"\n\n{indent}resource \"aws_kms_key\" \"{key}\" {{\n"
                    f"{indent}  description         = \"Encrypts the Kubernetes secrets of EKS cluster {name}\"\n"
                    f"{indent}  enable_key_rotation = true\n{indent}}}")
        edits.append(Edit(block.end_pos, block.end_pos, resource))
    return edits


def _rotation_tags(text: str, block: HclBlock) -> list[Edit]:
    attr = block.attrs.get("tags")
    width = max(len(k) for k, _ in ROTATION_TAGS)
    entries = [f"{k.ljust(width)} = {v}" for k, v in ROTATION_TAGS]
    if attr is None:
        return [_insert_in_block(text, block, ["  tags = {", *(f"    {e}" for e in entries), "  }"])]
    plain = ", ".join(f"{k} = {v}" for k, v in ROTATION_TAGS)
    source = text[attr.start_pos:attr.end_pos]
    equals = source.index("=")
    expression = source[equals + 1:].strip()
    value_start = attr.start_pos + source.index(expression, equals)
    value_end = value_start + len(expression)
    if expression.startswith("{") and expression.endswith("}"):
        close = value_end - 1
        line_start = text.rfind("\n", 0, close) + 1
        if text[line_start:close].strip() == "":
            indent = _indent_at(text, attr.start_pos) + "  "
            return [Edit(line_start, line_start, "".join(f"{indent}{e}\n" for e in entries))]
        inner = text[value_start + 1:close].strip().rstrip(",")
        return [Edit(value_start, value_end, "{ " + ", ".join(p for p in (inner, plain) if p) + " }")]
    if expression.startswith("merge(") and expression.endswith(")"):
        return [Edit(value_end - 1, value_end - 1, f", {{ {plain} }}")]
    return [Edit(value_start, value_end, f"merge({expression}, {{ {plain} }})")]


def _sensitive(text: str, block: HclBlock) -> list[Edit]:
    return [_insert_in_block(text, block, ["  sensitive = true"])]


def fix_terraform(text: str, violations: list[Violation]) -> str:
    blocks = parse_terraform(text)
    edits: list[Edit] = []
    for violation in violations:
        block = _find(blocks, violation.resource)
        if block is None:
            continue
        if violation.check == "eks-secrets-encryption" and block.type == "resource":
            edits += _eks(text, blocks, block)
        elif violation.check == "secret-rotation-undocumented":
            edits += _rotation_tags(text, block)
        elif violation.check == "tf-secret-not-sensitive" and "sensitive" not in block.attrs:
            edits += _sensitive(text, block)
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text
