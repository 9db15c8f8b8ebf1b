"""`--aws`: the live account held to the ADR with read-only calls (List*, Describe*, Get*).

Credentials, region and profile come from the standard AWS settings (environment, config
files, instance role); ``endpoint_url`` points every client at one endpoint (a local test server).
Secret values are never read: only metadata, tags and policies.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from secretshift.adr.model import Violation
from secretshift.adr.policy import identity_policy_issues, resource_policy_issues
from secretshift.adr.settings import AdrSettings
from secretshift.errors import FatalError

_RATE = re.compile(r"rate\(\s*(\d+)\s+days?\s*\)")


def check_account(settings: AdrSettings, region: str | None = None, profile: str | None = None,
                  endpoint_url: str | None = None, now: dt.datetime | None = None) -> list[Violation]:
    import boto3
    import botocore.exceptions

    moment = now or dt.datetime.now(dt.timezone.utc)
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
        if session.region_name is None:
            raise FatalError("--aws needs a region: --region, AWS_REGION or a profile's region")
        clients = {name: session.client(name, endpoint_url=endpoint_url) for name in ("secretsmanager", "eks", "iam")}
        return [*_secrets(clients["secretsmanager"], settings, moment), *_clusters(clients["eks"]),
                *_policies(clients["iam"], settings)]
    except botocore.exceptions.NoCredentialsError:
        raise FatalError("--aws: no AWS credentials found (environment, profile or instance role)") from None
    except botocore.exceptions.ProfileNotFound as exc:
        raise FatalError(f"--aws: {exc}") from None
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise FatalError(f"--aws: {exc.operation_name} failed: {error.get('Code', 'error')} "
                         "(the check needs read-only access: secretsmanager:List*/Describe*/GetResourcePolicy, "
                         "eks:List*/Describe*, iam:ListPolicies/GetPolicyVersion)") from None
    except botocore.exceptions.EndpointConnectionError as exc:
        raise FatalError(f"--aws: cannot reach {exc.kwargs.get('endpoint_url', 'the AWS endpoint')}") from None


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _period(rules: dict[str, Any]) -> int | None:
    days = rules.get("AutomaticallyAfterDays")
    if isinstance(days, int):
        return days
    match = _RATE.search(str(rules.get("ScheduleExpression", "")))
    return int(match.group(1)) if match else None


def _secrets(client: Any, settings: AdrSettings, now: dt.datetime) -> Iterator[Violation]:
    for entry in _pages(client, "list_secrets", "SecretList"):
        arn, name = entry["ARN"], entry["Name"]
        tags = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
        last = entry.get("LastRotatedDate") or entry.get("LastChangedDate") or entry.get("CreatedDate")
        if entry.get("RotationEnabled"):
            period = _period(entry.get("RotationRules", {}))
            if period is not None and period > settings.max_rotation_days:
                yield Violation(arn, 0, "rotation-period-too-long", name,
                                f"secret {name} rotates every {period} days; the maximum is {settings.max_rotation_days}",
                                f"aws secretsmanager rotate-secret --secret-id {name} "
                                f"--rotation-rules AutomaticallyAfterDays={settings.max_rotation_days}")
        else:
            raw = tags.get("rotation-period-days", "")
            if not (raw.isdigit() and tags.get("rotation-mode") == "manual"):
                yield Violation(arn, 0, "secret-rotation-undocumented", name,
                                f"secret {name} has no rotation and no documented manual period",
                                f"aws secretsmanager tag-resource --secret-id {name} --tags "
                                "Key=rotation-period-days,Value=90 Key=rotation-mode,Value=manual "
                                "(or rotate-secret with a rotation function)")
                period = None
            else:
                period = int(raw)
                if period > settings.max_rotation_days:
                    yield Violation(arn, 0, "rotation-period-too-long", name,
                                    f"secret {name} has a manual period of {period} days; the maximum is "
                                    f"{settings.max_rotation_days}",
                                    f"aws secretsmanager tag-resource --secret-id {name} --tags "
                                    f"Key=rotation-period-days,Value={settings.max_rotation_days}")
        period = _period(entry.get("RotationRules", {})) if entry.get("RotationEnabled") else (
            int(tags["rotation-period-days"]) if tags.get("rotation-period-days", "").isdigit() else None)
        if period is not None and isinstance(last, dt.datetime):
            age = (now - last).days
            if age > period:
                yield Violation(arn, 0, "secret-rotation-overdue", name,
                                f"secret {name} was last rotated {age} days ago; its period is {period} days",
                                f"rotate it now (aws secretsmanager rotate-secret --secret-id {name}, "
                                "or the manual runbook), then record the date")
        policy = client.get_resource_policy(SecretId=arn).get("ResourcePolicy")
        if policy:
            for issue in resource_policy_issues(json.loads(policy), 0):
                yield Violation(arn, 0, issue.check, name, issue.message, issue.fix)


def _clusters(client: Any) -> Iterator[Violation]:
    for name in _pages(client, "list_clusters", "clusters"):
        cluster = client.describe_cluster(name=name)["cluster"]
        encrypted = any("secrets" in (c.get("resources") or []) for c in cluster.get("encryptionConfig") or [])
        if not encrypted:
            yield Violation(cluster.get("arn", name), 0, "eks-secrets-encryption", name,
                            f"EKS cluster {name} does not encrypt Kubernetes secrets with a KMS key",
                            f"aws eks associate-encryption-config --cluster-name {name} --encryption-config "
                            "'[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\"}}]'")


def _policies(client: Any, settings: AdrSettings) -> Iterator[Violation]:
    for policy in _pages(client, "list_policies", "Policies", Scope="Local"):
        version = client.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        document = version["PolicyVersion"]["Document"]
        if isinstance(document, str):
            from urllib.parse import unquote

            document = json.loads(unquote(document))
        for issue in identity_policy_issues(document, settings.secret_name_prefixes, 0):
            yield Violation(policy["Arn"], 0, issue.check, policy["PolicyName"], issue.message, issue.fix)
