"""Clauses 1 and 2 where configuration meets a workload: environment maps and user data.

A secret-like key holding a literal belongs in Secrets Manager (clause 1); one fed from a secret
resolved at deploy time (a CloudFormation dynamic reference, a Terraform data source, a
password variable) sits in plaintext configuration instead of being fetched at run time (clause 2).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from secretshift.adr.located import Expr
from secretshift.adr.secretish import literal_secret_value, names_deploy_time_secret, secret_like_key

# Terraform references whose value is a secret known only at apply time.
TF_SECRET_REF = re.compile(
    r"^(data\.)?aws_secretsmanager_secret_version\.[\w-]+.*\.secret_(string|binary)"
    r"|^data\.aws_ssm_parameter\.[\w-]+.*\.(value|insecure_value)$"
    r"|^random_password\.[\w-]+.*\.result$"
    r"|^(data\.)?aws_kms_secrets?\.[\w-]+\.plaintext"
)


@dataclass(frozen=True)
class EnvIssue:
    kind: str  # "literal" or "deploy-time"
    key: str
    line: int


def deploy_time_value(value: Any, key_is_secret: bool, is_secret_ref: Callable[[str], bool]) -> bool:
    """Does ``value`` carry a secret resolved when the stack or plan is deployed?"""
    if isinstance(value, str):
        return names_deploy_time_secret(value)
    if isinstance(value, Expr):
        if value.template and names_deploy_time_secret(value.template):
            return True
        for ref in value.refs:
            if TF_SECRET_REF.search(ref) and (key_is_secret or "secret_string" in ref or "plaintext" in ref):
                return True
            if is_secret_ref(ref):
                return True
        return False
    if isinstance(value, dict):
        return any(deploy_time_value(v, key_is_secret, is_secret_ref) for v in value.values())
    if isinstance(value, list):
        return any(deploy_time_value(v, key_is_secret, is_secret_ref) for v in value)
    return False


def env_issues(pairs: Iterable[tuple[str, Any, int]], is_secret_ref: Callable[[str], bool]) -> list[EnvIssue]:
    """``pairs``: (variable name, value, line). ``is_secret_ref`` says whether a reference
    (``var.db_password``, ``Ref: DbPassword``) names a secret-like input."""
    issues: list[EnvIssue] = []
    for key, value, line in pairs:
        secret_key = secret_like_key(key)
        if deploy_time_value(value, secret_key, is_secret_ref):
            issues.append(EnvIssue("deploy-time", key, line))
        elif secret_key and literal_secret_value(value):
            issues.append(EnvIssue("literal", key, line))
    return issues


_ASSIGNMENT = re.compile(
    r"""(?:^|[\s;'"])(?:export\s+|set\s+|ENV\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[=:]\s*(["']?)([^\s"';]*)""",
)


def user_data_issues(text: str, first_line: int, is_secret_ref: Callable[[str], bool]) -> list[EnvIssue]:
    """Assignments in a user-data script (shell, cloud-init, .env written by it)."""
    issues: list[EnvIssue] = []
    for offset, row in enumerate(text.splitlines()):
        if row.lstrip().startswith("#") and not row.lstrip().startswith("#!"):
            continue
        for match in _ASSIGNMENT.finditer(row):
            key, value = match.group(1), match.group(3)
            if not secret_like_key(key.rsplit(".", 1)[-1]):
                continue
            line = first_line + offset
            if names_deploy_time_secret(row) or _interpolates_secret(value, is_secret_ref):
                issues.append(EnvIssue("deploy-time", key, line))
            elif "$" not in value and literal_secret_value(value):
                issues.append(EnvIssue("literal", key, line))
    return issues


def _interpolates_secret(value: str, is_secret_ref: Callable[[str], bool]) -> bool:
    for ref in re.findall(r"\$\{([^}]+)\}", value):
        ref = ref.strip()
        if TF_SECRET_REF.search(ref) or is_secret_ref(ref):
            return True
    return False
