"""Least privilege (clause 5): IAM statements as they reach secrets and the keys that seal them.

Works on a policy document already read into Python values (from JSON, YAML, HCL
``jsonencode``/heredocs or ``aws_iam_policy_document``); CloudFormation intrinsics appear as
one-key dicts (``{"Ref": ...}``, ``{"Fn::Sub": ...}``) and Terraform expressions as
:class:`~secretshift.adr.located.Expr`.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from secretshift.adr.located import Expr, line_of

_ARN_SECRET = re.compile(r"^arn:[^:]*:(secretsmanager|\*):[^:]*:[^:]*:(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class PolicyIssue:
    check: str
    line: int
    message: str
    fix: str


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A resource or action as text with references blanked out: ``None`` when the whole value
    is a reference (``!Ref Secret``, ``aws_secretsmanager_secret.db.arn``), which names one thing."""
    if isinstance(value, str):
        return re.sub(r"\$\{[^}]*\}", "REF", value)
    if isinstance(value, Expr):
        return None if not value.template else re.sub(r"\$\{[^}]*\}", "REF", value.template)
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Fn::Sub":
            template = arg[0] if isinstance(arg, list) and arg else arg
            return _text(template) if isinstance(template, str) else None
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [_text(p) for p in arg[1]]
            return str(arg[0]).join(p if p is not None else "REF" for p in parts)
    return None


def _matches(patterns: Sequence[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action, p.lower()) for p in patterns)


def _wide_secret_resource(resource: str, prefixes: Sequence[str]) -> bool:
    if resource.strip() == "*":
        return True
    match = _ARN_SECRET.match(resource)
    if not match:
        return False
    rest = match.group(2)
    if not rest.lower().startswith("secret:"):
        return "*" in rest or "?" in rest
    name = rest[len("secret:"):]
    if "*" not in name and "?" not in name:
        return False
    # Secrets Manager appends "-" and six random characters to every ARN: "name-??????" still
    # means exactly one secret ("name-*" does not: it also matches "name-other").
    stem = name[: -len("-??????")]
    if name.endswith("-??????") and stem and "*" not in stem and "?" not in stem:
        return False
    stem = re.split(r"[*?]", name, maxsplit=1)[0]
    return not any(stem.startswith(prefix) for prefix in prefixes if prefix)


def _has_via_service(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    return any(isinstance(block, dict) and any(str(k).lower() == "kms:viaservice" for k in block)
               for block in condition.values())


def _public_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in _as_list(v) for v in principal.values())
    return False


def statements(document: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(document, dict):
        return
    for statement in _as_list(document.get("Statement")):
        if isinstance(statement, dict):
            yield statement


def identity_policy_issues(document: Any, secret_name_prefixes: Sequence[str], default_line: int) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        line = line_of(statement, default_line)
        sid = f" ({statement['Sid']})" if isinstance(statement.get("Sid"), str) else ""
        if "NotAction" in statement:
            excluded = [t.lower() for t in (_text(a) for a in _as_list(statement["NotAction"])) if t]
            actions = [] if _matches(excluded, "secretsmanager:getsecretvalue") else ["*"]
        else:
            actions = [t.lower() for t in (_text(a) for a in _as_list(statement.get("Action"))) if t]
        if "NotResource" in statement:
            resources: list[str | None] = ["*"]
        else:
            resources = [_text(r) for r in _as_list(statement.get("Resource"))]
        if any(a in ("*", "secretsmanager:*") for a in actions):
            issues.append(PolicyIssue(
                "iam-secretsmanager-wildcard-action", line,
                f"statement{sid} allows every Secrets Manager action ({'*' if '*' in actions else 'secretsmanager:*'})",
                'Action: name the calls the workload makes, e.g. ["secretsmanager:GetSecretValue", '
                '"secretsmanager:DescribeSecret"]',
            ))
        wide = [r for r in resources if r is not None and _wide_secret_resource(r, secret_name_prefixes)]
        if _matches(actions, "secretsmanager:getsecretvalue") and wide:
            issues.append(PolicyIssue(
                "iam-secret-read-wildcard-resource", line,
                f"statement{sid} reads secret values on a wildcard resource ({wide[0]})",
                'Resource: the exact secret ARNs, e.g. "arn:aws:secretsmanager:REGION:ACCOUNT:secret:app/db-??????" '
                "(or a reference to the secret resource)",
            ))
        if (_matches(actions, "kms:decrypt") and any(r is not None and r.strip() == "*" for r in resources)
                and not _has_via_service(statement.get("Condition"))):
            issues.append(PolicyIssue(
                "iam-kms-decrypt-wildcard", line,
                f"statement{sid} allows kms:Decrypt on every key without a kms:ViaService condition",
                'Resource: the KMS key ARN, or add Condition: {"StringEquals": {"kms:ViaService": '
                '"secretsmanager.REGION.amazonaws.com"}}',
            ))
    return issues


def resource_policy_issues(document: Any, default_line: int) -> list[PolicyIssue]:
    """A secret's own resource policy: who may reach the secret from outside the account."""
    issues: list[PolicyIssue] = []
    for statement in statements(document):
        if statement.get("Effect") != "Allow" or not _public_principal(statement.get("Principal")):
            continue
        if statement.get("Condition"):
            continue
        issues.append(PolicyIssue(
            "secret-policy-public", line_of(statement, default_line),
            "the secret's resource policy allows any principal (Principal: \"*\") without a condition",
            'Principal: {"AWS": "arn:aws:iam::ACCOUNT:role/APP"}, or keep "*" with Condition: '
            '{"StringEquals": {"aws:PrincipalOrgID": "o-EXAMPLE"}}',
        ))
    return issues
