"""`[tool.secretshift.migrate]`, parsed once into a frozen value and validated.

Keys (all optional)::

    [tool.secretshift.migrate]
    name_template = "{repo}/{env}/{group}"  # placeholders: repo, app, env, group
    app = "billing"                          # default: the repository directory's name
    env = "prod"                             # default: "default"
    owner = "team-payments"                  # tag + runbook owner
    kms_key_id = "arn:aws:kms:..."           # default: the AWS managed key
    rotation_days = 90
    rotation_lambda = "arn:aws:lambda:..."   # default: manual rotation + runbook
    python_client = "caching"                # or "boto3"
    region = "eu-west-1"                     # else flags / AWS_REGION / profile
    profile = "migration"
    endpoint_url = "http://127.0.0.1:5000"
    iam_policy = "docs/secretshift-iam-policy.json"
    runbook = "docs/secret-rotation.md"
    tags = {cost-center = "42"}
    [tool.secretshift.migrate.rotation.rule.aws-secret-access-key]   # per rule id ...
    days = 30
    lambda = "arn:aws:lambda:..."
    [tool.secretshift.migrate.rotation.kind.dotenv]                  # ... or per file kind
    days = 60
    [tool.secretshift.migrate.eso]
    store_kind = "SecretStore"               # or ClusterSecretStore
    store_name = "aws-secrets-manager"
    service_account = "external-secrets"
    refresh_interval = "1h"
    [tool.secretshift.migrate.github]
    role_arn = "arn:aws:iam::123456789012:role/deploy"
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secretshift.errors import FatalError
from secretshift.migrate.rewriters.base import RewriteSettings

# The default name: "{repo}/{env}/{group}", or "{repo}/{app}/{env}/{group}" when `app` is set
# and differs from the repository's name (see plan.plan_migration).
DEFAULT_TEMPLATE = None
DEFAULT_ROTATION_DAYS = 90
DEFAULT_IAM_POLICY = "docs/secretshift-iam-policy.json"
DEFAULT_RUNBOOK = "docs/secret-rotation.md"
MANAGED = "managed"
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$")
_TOP = {
    "name_template", "app", "env", "owner", "kms_key_id", "rotation_days", "rotation_lambda",
    "python_client", "region", "profile", "endpoint_url", "iam_policy", "runbook", "tags",
    "rotation", "eso", "github",
}
_ESO = {"store_kind": "SecretStore", "store_name": "aws-secrets-manager",
        "service_account": "external-secrets", "refresh_interval": "1h"}


@dataclass(frozen=True)
class RotationRule:
    days: int
    lambda_arn: str | None = None  # an ARN, "managed", or None for manual rotation

    @property
    def mode(self) -> str:
        if self.lambda_arn is None:
            return "manual"
        return MANAGED if self.lambda_arn == MANAGED else "lambda"


@dataclass(frozen=True)
class MigrateSettings:
    name_template: str | None = DEFAULT_TEMPLATE
    app: str | None = None
    env: str = "default"
    owner: str | None = None
    kms_key_id: str | None = None
    rotation: RotationRule = RotationRule(DEFAULT_ROTATION_DAYS)
    rotation_by_rule: Mapping[str, RotationRule] = field(default_factory=dict)
    rotation_by_kind: Mapping[str, RotationRule] = field(default_factory=dict)
    tags: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    iam_policy: str = DEFAULT_IAM_POLICY
    runbook: str = DEFAULT_RUNBOOK
    rewrite: RewriteSettings = RewriteSettings()

    def rotation_for(self, rules: list[str], kinds: list[str]) -> RotationRule:
        """A per-rule setting wins over a per-kind one; the shortest lifetime among a secret's
        sources wins, since the secret is only as fresh as its most demanding part."""
        chosen = [self.rotation_by_rule[r] for r in rules if r in self.rotation_by_rule]
        if not chosen:
            chosen = [self.rotation_by_kind[k] for k in kinds if k in self.rotation_by_kind]
        if not chosen:
            return self.rotation
        days = min(c.days for c in chosen)
        lambda_arn = next((c.lambda_arn for c in chosen if c.lambda_arn), None)
        return RotationRule(days, lambda_arn)


def _str(table: Mapping[str, Any], name: str, where: str, default: str | None = None) -> str | None:
    raw = table.get(name, default)
    if raw is not None and (not isinstance(raw, str) or not raw):
        raise FatalError(f"{where}: `{name}` must be a non-empty string")
    return raw


def _days(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 1000:
        raise FatalError(f"{where}: rotation days must be a whole number from 1 to 1000 (ASM's limit)")
    return raw


MANAGED_ROTATION_NOTE = (
    "AWS offers managed rotation (no Lambda) only for secrets another AWS service owns: RDS and "
    "Aurora master passwords (`ManageMasterUserPassword`, Terraform `manage_master_user_password`), "
    "Redshift admin passwords, DocumentDB; the secrets secretshift creates are ordinary secrets, "
    "which rotate with a rotation Lambda (`rotation_lambda = \"arn:aws:lambda:...\"`) or by hand "
    "(the runbook)")


def _lambda(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if raw == MANAGED:
        raise FatalError(f"{where}: \"managed\" rotation is not possible here: {MANAGED_ROTATION_NOTE}")
    if not isinstance(raw, str) or not _LAMBDA_ARN.match(raw):
        raise FatalError(f"{where}: rotation lambda must be a Lambda function ARN")
    return raw


def _rotation_table(raw: Any, where: str, default_days: int) -> dict[str, RotationRule]:
    if not isinstance(raw, dict):
        raise FatalError(f"{where} must be a table")
    out: dict[str, RotationRule] = {}
    for name, entry in raw.items():
        here = f"{where}.{name}"
        if not isinstance(entry, dict) or set(entry) - {"days", "lambda"}:
            raise FatalError(f"{here} must be a table with `days` and/or `lambda`")
        out[name] = RotationRule(_days(entry.get("days", default_days), here), _lambda(entry.get("lambda"), here))
    return out


def parse_settings(table: Mapping[str, Any], origin: str = "[tool.secretshift.migrate]") -> MigrateSettings:
    unknown = set(table) - _TOP
    if unknown:
        raise FatalError(f"{origin}: unknown setting(s) {', '.join(sorted(unknown))}")
    template = _str(table, "name_template", origin)
    if template is not None:
        try:
            template.format(app="a", env="e", group="g", repo="r")
        except (KeyError, IndexError, ValueError) as exc:
            raise FatalError(f"{origin}: name_template {template!r} is not valid ({exc}); use {{repo}}, {{app}}, "
                             "{env}, {group}") from None
        if "{group}" not in template:
            raise FatalError(f"{origin}: name_template must contain {{group}}, or every secret gets the same name")
    days = _days(table.get("rotation_days", DEFAULT_ROTATION_DAYS), f"{origin} rotation_days")
    default_rotation = RotationRule(days, _lambda(table.get("rotation_lambda"), f"{origin} rotation_lambda"))
    rotation = table.get("rotation", {})
    if not isinstance(rotation, dict) or set(rotation) - {"rule", "kind"}:
        raise FatalError(f"{origin}: `rotation` must be a table with `rule` and/or `kind` sub-tables")
    tags = table.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise FatalError(f"{origin}: `tags` must be a table of strings")
    python_client = _str(table, "python_client", origin, "caching")
    if python_client not in ("caching", "boto3"):
        raise FatalError(f"{origin}: python_client must be \"caching\" or \"boto3\"")
    eso = table.get("eso", {})
    if not isinstance(eso, dict) or set(eso) - set(_ESO):
        raise FatalError(f"{origin}: `eso` accepts only {', '.join(sorted(_ESO))}")
    eso_values = {k: _str(eso, k, f"{origin} eso", d) or d for k, d in _ESO.items()}
    if eso_values["store_kind"] not in ("SecretStore", "ClusterSecretStore"):
        raise FatalError(f"{origin}: eso.store_kind must be SecretStore or ClusterSecretStore")
    github = table.get("github", {})
    if not isinstance(github, dict) or set(github) - {"role_arn"}:
        raise FatalError(f"{origin}: `github` accepts only role_arn")
    region = _str(table, "region", origin)
    return MigrateSettings(
        name_template=template,
        app=_str(table, "app", origin),
        env=_str(table, "env", origin, "default") or "default",
        owner=_str(table, "owner", origin),
        kms_key_id=_str(table, "kms_key_id", origin),
        rotation=default_rotation,
        rotation_by_rule=_rotation_table(rotation.get("rule", {}), f"{origin} rotation.rule", days),
        rotation_by_kind=_rotation_table(rotation.get("kind", {}), f"{origin} rotation.kind", days),
        tags=tuple(sorted(tags.items())),
        region=region,
        profile=_str(table, "profile", origin),
        endpoint_url=_str(table, "endpoint_url", origin),
        iam_policy=_str(table, "iam_policy", origin, DEFAULT_IAM_POLICY) or DEFAULT_IAM_POLICY,
        runbook=_str(table, "runbook", origin, DEFAULT_RUNBOOK) or DEFAULT_RUNBOOK,
        rewrite=RewriteSettings(
            region=region,
            python_client=python_client or "caching",
            eso_store_kind=eso_values["store_kind"],
            eso_store_name=eso_values["store_name"],
            eso_service_account=eso_values["service_account"],
            eso_refresh_interval=eso_values["refresh_interval"],
            github_role_arn=_str(github, "role_arn", f"{origin} github"),
        ),
    )
