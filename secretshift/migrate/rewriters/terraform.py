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


def lookup(ref: Reference) -> str:
    key = json.dumps(ref.json_key)
    return f"jsondecode(data.aws_secretsmanager_secret_version.{label(ref.secret_name)}.secret_string)[{key}]"


def data_source(secret_name: str) -> str:
    return (
        "# Written by secretshift: the secret lives in AWS Secrets Manager.\n"
        f'data "aws_secretsmanager_secret_version" "{label(secret_name)}" {{\n'
        f"  secret_id = {json.dumps(secret_name)}\n"
        "}\n"
    )


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
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            block = _enclosing_block(text, start)
            if block in ("variable", "terraform"):
                raise RewriteRefused(f"{path}:{ref.line}: a {block} block cannot read a data source "
                                     "(variable defaults and backend settings must be literal)")
            if quote == '"':
                edits.append((start, end, lookup(ref)))
            else:  # part of a longer string or heredoc: interpolate
                edits.append((start, end, "${" + lookup(ref) + "}"))
            extra[beside(path, f"{label(ref.secret_name)}.tf")] = data_source(ref.secret_name)
        return RewriteResult(apply_edits(text, edits), extra, (STATE_NOTE,))


def _enclosing_block(text: str, offset: int) -> str | None:
    kind = None
    for match in _BLOCK_HEADER.finditer(text, 0, offset):
        kind = match.group(1)
    return kind
