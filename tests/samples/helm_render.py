"""A small renderer for the Go-template subset Helm charts in tests/samples use (no helm binary
on the machine): `{{ .Values.a.b }}`, `.Release.Name`, `.Chart.X`, `| default X`, `| quote`,
`(printf "%s-x" .Release.Name)`, `{{- if [not] X }}` ... `{{- end }}`, whitespace trimming.
Unknown syntax raises, so a template the renderer cannot read fails the test loudly."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

_ACTION = re.compile(r"(\s*){{(-?)\s*(.*?)\s*(-?)}}(\s*)", re.DOTALL)


def _lookup(path: str, scope: dict[str, Any]) -> Any:
    node: Any = scope
    for part in path.lstrip(".").split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _term(token: str, scope: dict[str, Any]) -> Any:
    token = token.strip()
    if token.startswith("(") and token.endswith(")"):
        return _pipeline(token[1:-1], scope)
    if token.startswith('"'):
        return json.loads(token)
    if token.startswith("."):
        return _lookup(token, scope)
    match = re.fullmatch(r'printf\s+("(?:[^"\\]|\\.)*")\s+(.+)', token)
    if match:
        return json.loads(match.group(1)).replace("%s", "{}").format(*[_term(a, scope) for a in match.group(2).split()])
    raise ValueError(f"template syntax this renderer does not know: {token!r}")


def _split_pipes(expression: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in expression:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _pipeline(expression: str, scope: dict[str, Any]) -> Any:
    stages = _split_pipes(expression)
    value = _term(stages[0], scope)
    for stage in stages[1:]:
        name, _, argument = stage.strip().partition(" ")
        if name == "default":
            value = value if value not in (None, "", False) else _term(argument, scope)
        elif name == "quote":
            value = json.dumps("" if value is None else str(value))
        else:
            raise ValueError(f"template function this renderer does not know: {name}")
    return value


def render(template: str, scope: dict[str, Any]) -> str:
    out: list[str] = []
    stack: list[bool] = []
    position = 0
    for match in _ACTION.finditer(template):
        lead, trim_left, body, trim_right, trail = match.groups()
        text = template[position:match.start()] + ("" if trim_left else lead)
        if all(stack):
            out.append(text)
        position = match.end() - (0 if trim_right else len(trail))
        if body.startswith("if "):
            condition = body[3:].strip()
            negate = condition.startswith("not ")
            value = _pipeline(condition[4:] if negate else condition, scope)
            stack.append(bool(value) != negate)
        elif body == "end":
            stack.pop()
        elif all(stack):
            value = _pipeline(body, scope)
            out.append("" if value is None else str(value))
    out.append(template[position:] if all(stack) else "")
    return "".join(out)


def render_chart(chart: Path, release: str = "rel") -> list[dict[str, Any]]:
    """Every manifest the chart renders for ``release`` with its values.yaml."""
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    scope = {"Values": values, "Release": {"Name": release, "Namespace": "default"},
             "Chart": {k[:1].upper() + k[1:]: v for k, v in meta.items()}}
    docs: list[dict[str, Any]] = []
    for template in sorted((chart / "templates").glob("*.yaml")):
        rendered = render(template.read_text(), scope)
        docs.extend(d for d in yaml.safe_load_all(rendered) if d)
    return docs
