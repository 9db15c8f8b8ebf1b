"""Least-privilege IAM policies: one per consumer kind, each granting only the secrets it reads.

Who reads a migrated secret depends on how its reference was rewritten: the application at run
time (code, `.env`, config), the ECS task execution role (`secrets.valueFrom`), the GitHub OIDC
role of a workflow, the External Secrets Operator's service account (Kubernetes, Helm), the
deploy role of Terraform / CloudFormation, or an image build (BuildKit secrets). Each gets its own
policy file (`secretshift-iam-policy-<consumer>.json`), so the app's role cannot read CI tokens
or the deploy role's secrets.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

READ_SID = "SecretshiftReadMigratedSecrets"
KMS_SID = "SecretshiftDecryptMigratedSecrets"
# GetSecretValue to read; DescribeSecret because the caching client checks the version first.
READ_ACTIONS = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def wildcard_arn(arn: str) -> str:
    """`...:secret:name-AbC123` -> `...:secret:name-??????`: the grant survives a re-creation
    (new random suffix) but never matches a longer name such as `name-old`."""
    return _SUFFIX.sub("-??????", arn)


def placeholder_arn(name: str) -> str:
    return f"arn:aws:secretsmanager:*:*:secret:{name}-??????"


def policy_document(secret_arns: Iterable[str], kms_keys: Mapping[str, str],
                    existing: str | None = None) -> str:
    """``kms_keys``: key ARN -> region, for customer managed keys only. ``existing`` (an earlier
    policy file) keeps the secrets granted by earlier migrations."""
    resources = {wildcard_arn(a) for a in secret_arns}
    keys = dict(kms_keys)
    if existing:
        try:
            for statement in json.loads(existing).get("Statement", []):
                if statement.get("Sid") == READ_SID:
                    resources.update(_as_list(statement.get("Resource")))
                if statement.get("Sid", "").startswith(KMS_SID):
                    via = statement.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService", "")
                    region = via.split(".")[1] if via.count(".") >= 2 else "*"
                    for key in _as_list(statement.get("Resource")):
                        keys.setdefault(key, region)
        except (ValueError, AttributeError):
            pass  # not ours or damaged: rewrite it from this migration alone
    statements: list[dict[str, object]] = [
        {"Sid": READ_SID, "Effect": "Allow", "Action": READ_ACTIONS, "Resource": sorted(resources)}
    ]
    by_region: dict[str, list[str]] = {}
    for key, region in keys.items():
        by_region.setdefault(region, []).append(key)
    for index, region in enumerate(sorted(by_region)):
        statements.append({
            "Sid": KMS_SID if index == 0 else f"{KMS_SID}{index + 1}",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": sorted(by_region[region]),
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


CONSUMERS = {
    "ecs-task": "ecs-execution",
    "github-workflow": "github-oidc",
    "k8s-secret": "eso",
    "helm": "eso",
    "structured-config": "eso",
    "terraform": "iac-deploy",
    "cloudformation": "iac-deploy",
    "dockerfile": "image-build",
}
APP_RUNTIME = "app-runtime"


def consumer_of(rewriter: str | None) -> str:
    return CONSUMERS.get(rewriter or "", APP_RUNTIME)


def policy_path(base: str, consumer: str) -> str:
    """`docs/secretshift-iam-policy.json` -> `docs/secretshift-iam-policy-app-runtime.json`."""
    stem, dot, ext = base.rpartition(".")
    return f"{stem}-{consumer}.{ext}" if dot and "/" not in ext else f"{base}-{consumer}"
