"""Terraform -> ``jsondecode(data.aws_secretsmanager_secret_version.X.secret_string)["key"]``.

Each secret's data source goes in its own file beside the module (``secretshift_<label>.tf``):
every file of a module that uses the same secret produces the same file, so a module never gets
two blocks with one address, whatever order files are rewritten in.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import apply_edits, beside, quoted_span

_BLOCK_HEADER = re.compile(r'^([A-Za-z_][\w-]*)((?:\s+"[^"\n]*"|\s+[A-Za-z_][\w-]*)*)\s*\{', re.MULTILINE)
STATE_NOTE = (
    "Terraform stores values read through data sources in its state: keep the state backend encrypted "
    "and access-controlled (or pass the secret to the resource by ARN where the provider allows it)"
)


def label(secret_name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", secret_name).strip("_").lower()
    return f"secretshift_{name}"


_HEADERS = {
    "data": "the secret lives in AWS Secrets Manager.",
    "ephemeral": "read at plan/apply time, never stored in the state.",
}


def lookup(ref: Reference, block: str = "data") -> str:
    """The expression reading ``ref``'s key through a `data` source or an `ephemeral` resource."""
    key = json.dumps(ref.json_key)
    return f"jsondecode({block}.aws_secretsmanager_secret_version.{label(ref.secret_name)}.secret_string)[{key}]"


def data_source(secret_name: str, block: str = "data") -> str:
    return (
        f"# Written by secretshift: {_HEADERS[block]}\n"
        f'{block} "aws_secretsmanager_secret_version" "{label(secret_name)}" {{\n'
        f"  secret_id = {json.dumps(secret_name)}\n"
        "}\n"
    )


EPHEMERAL_NOTE = (
    "write-only arguments (`*_wo`, Terraform 1.11+, AWS provider 5.x) read the secret through an ephemeral "
    "resource: the value never reaches the state; bump `*_wo_version` when the secret rotates (or let RDS own "
    "the password with `manage_master_user_password = true`, which also gives AWS-managed rotation)"
)
PROVIDER_NOTE = (
    "provider credentials were removed: Terraform now uses the default credential chain (AWS_PROFILE, SSO, "
    "environment, instance/OIDC role) — or add `assume_role { role_arn = ... }` to the provider; a provider "
    "cannot read its own credentials from a data source (that is a cycle). The key pair was in git: deactivate it in IAM"
)
# resource type -> {argument: its write-only twin}, for the arguments the AWS provider offers one.
WRITE_ONLY = {
    "aws_db_instance": {"password": "password_wo"},
    "aws_rds_cluster": {"master_password": "master_password_wo"},
    "aws_docdb_cluster": {"master_password": "master_password_wo"},
    "aws_redshift_cluster": {"master_password": "master_password_wo"},
    "aws_secretsmanager_secret_version": {"secret_string": "secret_string_wo"},
    "aws_ssm_parameter": {"value": "value_wo"},
}
_PROVIDER_CREDENTIALS = {"access_key", "secret_key", "token"}
_ATTRIBUTE = re.compile(r"^(?P<indent>[ \t]*)(?P<name>[A-Za-z_][\w-]*)[ \t]*=[ \t]*$")


class TerraformRewriter:
    name = "terraform"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith((".tf", ".tfvars", ".tf.json", ".tfvars.json"))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        if path.endswith(".json"):
            raise RewriteRefused(f"{path}: Terraform JSON syntax is not rewritten; move the value to a .tf file")
        if path.endswith(".tfvars"):
            raise RewriteRefused(
                f"{path}: a .tfvars file holds only literal values; drop the variable and read the secret "
                "with an aws_secretsmanager_secret_version data source in the module")
        edits = []
        extra: dict[str, str] = {}
        notes: list[str] = []
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            block, labels = _enclosing_block(text, start)
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end + 1
            attribute = _ATTRIBUTE.match(text[line_start:start])
            whole_line = attribute is not None and quote == '"' and not text[end:line_end].strip(" \t\n").lstrip("#")
            name = attribute.group("name") if attribute else None
            if block in ("terraform", "backend", "cloud"):
                raise RewriteRefused(f"{path}:{ref.line}: a terraform block (backend settings) must be literal")
            if block == "provider" and name in _PROVIDER_CREDENTIALS and whole_line:
                edits.append((line_start, line_end, ""))
                notes.append(PROVIDER_NOTE)
            elif block == "variable" and name == "default" and whole_line and attribute is not None:
                comment = (f"{attribute.group('indent')}# default removed by secretshift: the value is in AWS Secrets "
                           f"Manager ({json.dumps(ref.secret_name)}, key {json.dumps(ref.json_key)}); pass it as "
                           f"TF_VAR_{labels[0] if labels else 'x'} from there\n")
                edits.append((line_start, line_end, comment))
                notes.append(f"{path}:{ref.line}: the variable is now required: set TF_VAR_{labels[0] if labels else 'x'} "
                             f"from AWS Secrets Manager where Terraform runs")
            elif block == "variable":
                raise RewriteRefused(f"{path}:{ref.line}: a variable block cannot read a data source")
            elif (block == "resource" and labels and name and whole_line and attribute is not None
                  and name in WRITE_ONLY.get(labels[0], {})):
                write_only = WRITE_ONLY[labels[0]][name]
                indent = attribute.group("indent")
                edits.append((line_start, line_end, f"{indent}{write_only} = {lookup(ref, 'ephemeral')}\n"
                                                    f"{indent}{write_only}_version = 1\n"))
                extra[beside(path, f"{label(ref.secret_name)}_ephemeral.tf")] = data_source(ref.secret_name, "ephemeral")
                notes.append(EPHEMERAL_NOTE)
            else:
                if quote == '"':
                    edits.append((start, end, lookup(ref)))
                else:  # part of a longer string or heredoc: interpolate
                    edits.append((start, end, "${" + lookup(ref) + "}"))
                extra[beside(path, f"{label(ref.secret_name)}.tf")] = data_source(ref.secret_name)
                notes.append(STATE_NOTE)
        return RewriteResult(apply_edits(text, edits), extra, tuple(dict.fromkeys(notes)))


def _enclosing_block(text: str, offset: int) -> tuple[str | None, list[str]]:
    kind: str | None = None
    labels: list[str] = []
    for match in _BLOCK_HEADER.finditer(text, 0, offset):
        kind = match.group(1)
        labels = re.findall(r'"([^"\n]*)"', match.group(2))
    return kind, labels
