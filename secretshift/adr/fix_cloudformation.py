"""CloudFormation fixers (YAML and JSON): line insertions next to the keys the loader located.

Lines are inserted with the indentation of their neighbours, so the template keeps its style;
a flow-style mapping (``{Type: String}``) or a one-line JSON object is left for a person.
"""
from __future__ import annotations

from typing import Any

from secretshift.adr.located import LDict, load_documents
from secretshift.adr.model import Violation


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


class _Lines:
    def __init__(self, text: str) -> None:
        self.rows = text.splitlines(keepends=True)
        self.newline = "\r\n" if self.rows and self.rows[0].endswith("\r\n") else "\n"
        self.inserts: dict[int, list[str]] = {}

    def child_indent(self, line: int, fallback: str) -> str | None:
        """The indentation of the first line nested under the 1-based ``line``, or None when
        the value is on the same line (flow style)."""
        row = self.rows[line - 1].rstrip()
        if not row.endswith((":", "{", "[")):
            return None
        for following in self.rows[line:]:
            if following.strip() and not following.lstrip().startswith("#"):
                return _indent(following) if len(_indent(following)) > len(_indent(row)) else fallback
        return fallback

    def insert_after(self, line: int, lines: list[str]) -> None:
        self.inserts.setdefault(line, []).extend(lines)

    def text(self) -> str:
        out: list[str] = []
        for number, row in enumerate(self.rows, start=1):
            if number - 1 == 0 and 0 in self.inserts:
                out.extend(x + self.newline for x in self.inserts[0])
            out.append(row)
            if number in self.inserts:
                if not row.endswith("\n"):
                    out[-1] = row + self.newline
                out.extend(x + self.newline for x in self.inserts[number])
        return "".join(out)


def _template(text: str, is_json: bool) -> LDict | None:
    for document in load_documents(text, is_json=is_json):
        if isinstance(document, LDict):
            return document
    return None


def _noecho(lines: _Lines, parameters: LDict, name: str, is_json: bool) -> None:
    line = parameters.line_of(name)
    indent = lines.child_indent(line, _indent(lines.rows[line - 1]) + "  ")
    if indent is None:
        return
    lines.insert_after(line, [f'{indent}"NoEcho": true,' if is_json else f"{indent}NoEcho: true"])


def _rotation_tags(lines: _Lines, resources: LDict, name: str, is_json: bool) -> None:
    resource = resources.get(name)
    if not isinstance(resource, LDict):
        return
    properties = resource.get("Properties")
    if isinstance(properties, LDict) and "Tags" in properties:
        tags_line = properties.line_of("Tags")
        indent = lines.child_indent(tags_line, _indent(lines.rows[tags_line - 1]) + "  ")
        if indent is None or not properties["Tags"]:
            return
        if is_json:
            lines.insert_after(tags_line, [f'{indent}{{"Key": "rotation-period-days", "Value": "90"}},',
                                           f'{indent}{{"Key": "rotation-mode", "Value": "manual"}},'])
        else:
            lines.insert_after(tags_line, [f"{indent}- Key: rotation-period-days", f'{indent}  Value: "90"',
                                           f"{indent}- Key: rotation-mode", f"{indent}  Value: manual"])
        return
    if isinstance(properties, LDict) and properties:
        anchor = resource.line_of("Properties")
        indent = lines.child_indent(anchor, "")
    else:
        return  # no Properties block to extend: left for a person
    if indent is None:
        return
    if is_json:
        lines.insert_after(anchor, [f'{indent}"Tags": [{{"Key": "rotation-period-days", "Value": "90"}}, '
                                    '{"Key": "rotation-mode", "Value": "manual"}],'])
    else:
        lines.insert_after(anchor, [f"{indent}Tags:", f"{indent}  - Key: rotation-period-days", f'{indent}    Value: "90"',
                                    f"{indent}  - Key: rotation-mode", f"{indent}    Value: manual"])


def _eks(lines: _Lines, resources: LDict, name: str, is_json: bool) -> None:
    resource = resources.get(name)
    if not isinstance(resource, LDict) or not isinstance(resource.get("Properties"), LDict):
        return
    key = f"{name}SecretsKey"
    anchor = resource.line_of("Properties")
    indent = lines.child_indent(anchor, "")
    id_line = resources.line_of(name)
    id_indent = _indent(lines.rows[id_line - 1])
    inner = lines.child_indent(id_line, id_indent + "  ") or id_indent + "  "
    step = inner[len(id_indent):]
    if indent is None or not resource["Properties"]:
        return
    if is_json:
        lines.insert_after(anchor, [f'{indent}"EncryptionConfig": [{{"Resources": ["secrets"], '
                                    f'"Provider": {{"KeyArn": {{"Fn::GetAtt": ["{key}", "Arn"]}}}}}}],'])
        if key not in resources:
            lines.insert_after(id_line - 1, [f'{id_indent}"{key}": {{"Type": "AWS::KMS::Key", '
                                             '"Properties": {"Description": "EKS secrets encryption", "EnableKeyRotation": true}},'])
        return
    lines.insert_after(anchor, [f"{indent}EncryptionConfig:", f"{indent}  - Resources:", f"{indent}      - secrets",
                                f"{indent}    Provider:", f"{indent}      KeyArn: !GetAtt {key}.Arn"])
    if key not in resources:
        lines.insert_after(id_line - 1, [f"{id_indent}{key}:", f"{inner}Type: AWS::KMS::Key", f"{inner}Properties:",
                                         f"{inner}{step}Description: Encrypts the Kubernetes secrets of {name}",
                                         f"{inner}{step}EnableKeyRotation: true"])


def fix_cloudformation(text: str, violations: list[Violation], is_json: bool) -> str:
    template = _template(text, is_json)
    if template is None:
        return text
    lines = _Lines(text)
    parameters: Any = template.get("Parameters")
    resources: Any = template.get("Resources")
    for violation in violations:
        if violation.check == "cfn-parameter-noecho" and isinstance(parameters, LDict):
            _noecho(lines, parameters, violation.resource.split(".", 1)[1], is_json)
        elif violation.check == "secret-rotation-undocumented" and isinstance(resources, LDict):
            _rotation_tags(lines, resources, violation.resource, is_json)
        elif violation.check == "eks-secrets-encryption" and isinstance(resources, LDict):
            _eks(lines, resources, violation.resource, is_json)
    return lines.text()
