"""The rewriter interface: one small rewriter per target file type, registered explicitly.

A rewriter turns every reference to a migrated secret in ONE file into the idiomatic runtime
lookup for that file type. It never sees a secret value: it gets the file text and where each
value sits, and returns the new text (plus files to create beside it, notes for review and the
libraries the rewritten code needs). Rewriters are pure functions of their inputs: no I/O, no
globals, settings passed in as an immutable value. Rewriting an already rewritten file changes
nothing (idempotence). When a safe rewrite is not possible, raise :class:`RewriteRefused`: the plan
says so and the file is left untouched.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class RewriteRefused(Exception):
    """This file cannot be rewritten safely; the message says why (never a secret value)."""


@dataclass(frozen=True)
class Reference:
    """One place in a file where a migrated secret's value is written literally."""

    path: str  # repository-relative, forward slashes
    line: int  # 1-based, where the value starts
    column: int  # 1-based, Unicode code points
    end_line: int
    end_column: int  # exclusive
    secret_name: str  # the AWS Secrets Manager secret name
    json_key: str  # the key inside the secret's JSON document
    key: str | None = None  # the variable / field name in the file, when known
    key_path: str | None = None  # structured path, e.g. "stringData.password"
    rule: str = ""
    kind: str | None = None  # the detector's file kind (dotenv, yaml, k8s-secret, python, ...)
    encoding: str | None = None  # "base64" when the file holds the value encoded


@dataclass(frozen=True)
class RewriteSettings:
    """Everything a rewriter may depend on besides the file; built from `[tool.secretshift.migrate]`."""

    region: str | None = None
    python_client: str = "caching"  # "caching" (aws-secretsmanager-caching) or "boto3"
    eso_store_kind: str = "SecretStore"  # or "ClusterSecretStore" (several clusters)
    eso_store_name: str = "aws-secrets-manager"
    eso_service_account: str = "external-secrets"
    eso_refresh_interval: str = "1h"
    github_role_arn: str | None = None
    # secret name -> ARN, known at apply time (ECS `valueFrom` wants ARNs); empty while planning.
    secret_arns: Mapping[str, str] = field(default_factory=dict)
    # Other files of the same unit a rewriter must read (a Helm chart's Chart.yaml and templates),
    # repository path -> text; filled for each file at plan and apply time, never stored in a plan.
    related: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RewriteResult:
    text: str  # the whole new file
    extra_files: Mapping[str, str] = field(default_factory=dict)  # repo path -> content to create
    notes: tuple[str, ...] = ()  # what a reviewer must look at (uses not rewritten, warnings)
    requirements: tuple[str, ...] = ()  # libraries the rewritten code needs, e.g. "boto3"


class Rewriter(Protocol):
    name: str

    def applies_to(self, path: str, text: str) -> bool: ...

    def rewrite(
        self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings
    ) -> RewriteResult: ...


def char_span(text: str, ref: Reference) -> tuple[int, int]:
    """Character offsets of ``ref`` in ``text`` (its line/column are 1-based code points)."""
    offsets = [0, *(match.end() for match in re.finditer("\n", text))]
    if ref.line > len(offsets) or ref.end_line > len(offsets):
        raise RewriteRefused(f"{ref.path}: line {ref.line} no longer exists")
    start = offsets[ref.line - 1] + ref.column - 1
    end = offsets[ref.end_line - 1] + ref.end_column - 1
    if not 0 <= start <= end <= len(text):
        raise RewriteRefused(f"{ref.path}:{ref.line}: the value is no longer where the plan says")
    return start, end
