"""External Secrets Operator manifests: the ExternalSecret and the (Cluster)SecretStore it reads.

ESO recreates a namespace-local Kubernetes Secret from AWS Secrets Manager; the store
authenticates with IRSA through a service account (``auth.jwt.serviceAccountRef``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from secretshift.migrate.rewriters.base import RewriteSettings
from secretshift.migrate.rewriters.common import beside
from secretshift.migrate.rewriters.yamlnodes import render

API_VERSION = "external-secrets.io/v1"
DEFAULT_REGION = "us-east-1"
# A ClusterSecretStore is cluster-scoped, so its service account needs a namespace: the one ESO's
# Helm chart installs into by default.
ESO_NAMESPACE = "external-secrets"


def external_secret(
    name: str,
    namespace: str | None,
    remote: Sequence[tuple[str, str, str]],  # (secretKey, ASM secret name, JSON property)
    settings: RewriteSettings,
    *,
    secret_type: str | None = None,
    literals: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    target: dict[str, Any] = {"name": name, "creationPolicy": "Owner"}
    template: dict[str, Any] = {}
    if secret_type and secret_type != "Opaque":
        template["type"] = secret_type
    if labels or annotations:
        template["metadata"] = {k: dict(v) for k, v in (("labels", labels), ("annotations", annotations)) if v}
    if literals:
        # Keys that were never secret stay in the manifest, merged with the fetched ones.
        template["mergePolicy"] = "Merge"
        template["data"] = dict(literals)
    if template:
        target["template"] = template
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": metadata,
        "spec": {
            "refreshInterval": settings.eso_refresh_interval,
            "secretStoreRef": {"name": settings.eso_store_name, "kind": settings.eso_store_kind},
            "target": target,
            "data": [
                {"secretKey": key, "remoteRef": {"key": secret, "property": prop}}
                for key, secret, prop in remote
            ],
        },
    }


def secret_store(namespace: str | None, settings: RewriteSettings) -> dict[str, Any]:
    cluster = settings.eso_store_kind == "ClusterSecretStore"
    account: dict[str, Any] = {"name": settings.eso_service_account}
    metadata: dict[str, Any] = {"name": settings.eso_store_name}
    if cluster:
        account["namespace"] = ESO_NAMESPACE
    elif namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": API_VERSION,
        "kind": settings.eso_store_kind,
        "metadata": metadata,
        "spec": {"provider": {"aws": {
            "service": "SecretsManager",
            "region": settings.region or DEFAULT_REGION,
            "auth": {"jwt": {"serviceAccountRef": account}},
        }}},
    }


def store_file(path: str, namespace: str | None, settings: RewriteSettings) -> tuple[str, str]:
    """The store manifest written once beside ``path``: one per namespace, or one cluster store."""
    if settings.eso_store_kind == "ClusterSecretStore":
        name = "clustersecretstore.yaml"
    else:
        name = f"secretstore-{namespace}.yaml" if namespace else "secretstore.yaml"
    return beside(path, name), emit(secret_store(namespace, settings))


def store_notes(settings: RewriteSettings) -> tuple[str, ...]:
    notes = [
        f"ESO authenticates with IRSA: annotate service account '{settings.eso_service_account}' with an "
        "IAM role allowed to read the secrets (see the generated IAM policy)",
    ]
    if settings.region is None:
        notes.append(f"no region configured: the {settings.eso_store_kind} uses {DEFAULT_REGION}; check it")
    return tuple(notes)


def emit(obj: Mapping[str, Any], indent: int = 0) -> str:
    """Block-style YAML for the small, plain manifests built here (deterministic, no library)."""
    lines: list[str] = []
    _emit_mapping(obj, indent, lines)
    return "\n".join(lines) + "\n"


def _emit_mapping(obj: Mapping[str, Any], indent: int, lines: list[str], first_prefix: str = "") -> None:
    pad = " " * indent
    for position, (key, value) in enumerate(obj.items()):
        prefix = first_prefix if position == 0 and first_prefix else pad
        head = f"{prefix}{render(str(key), None)}:"
        if isinstance(value, Mapping):
            lines.append(head if value else head + " {}")
            _emit_mapping(value, indent + 2, lines)
        elif isinstance(value, list):
            lines.append(head if value else head + " []")
            for item in value:
                if isinstance(item, Mapping):
                    _emit_mapping(item, indent + 4, lines, first_prefix=" " * (indent + 2) + "- ")
                else:
                    lines.append(f"{pad}  - {render(str(item), None)}")
        else:
            lines.append(f"{head} {render(str(value), None)}")
