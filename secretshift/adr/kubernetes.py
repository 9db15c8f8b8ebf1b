"""ADR checks over Kubernetes manifests (plain, Helm-rendered, kustomize) and eksctl configs.

Per document: literal Secret data (clause 7), eksctl clusters without secrets encryption
(clause 6). Across the tree: the same Secret committed for several clusters, and
ClusterSecretStores that only one namespace uses (clause 7).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from secretshift.adr.located import LDict, LList
from secretshift.adr.model import Violation
from secretshift.adr.settings import AdrSettings

ESO_FIX = '''apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: NAME
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: SecretStore, name: aws-secrets-manager}
  target: {name: NAME}
  dataFrom:
    - extract: {key: app/NAME}   # the secret in AWS Secrets Manager'''


@dataclass(frozen=True)
class CommittedSecret:
    path: str
    line: int
    name: str
    namespace: str
    origin: str  # "Secret" or "secretGenerator"


@dataclass(frozen=True)
class StoreUse:
    path: str
    line: int
    store: str
    namespace: str
    cluster_wide: bool  # a ClusterExternalSecret fans out to many namespaces


def is_manifest(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("kind"), str) and "apiVersion" in document


def _meta(document: LDict) -> tuple[str, str]:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return "", ""
    return str(metadata.get("name") or ""), str(metadata.get("namespace") or "")


class KubernetesTree:
    def __init__(self, settings: AdrSettings) -> None:
        self.settings = settings
        self.violations: list[Violation] = []
        self.secrets: list[CommittedSecret] = []
        self.stores: dict[str, tuple[str, int]] = {}
        self.store_uses: list[StoreUse] = []

    def add(self, path: str, document: LDict, kustomize_namespace: str = "") -> None:
        kind = document.get("kind")
        if kind == "Secret":
            self._secret(path, document, kustomize_namespace)
        elif kind == "ClusterConfig" and str(document.get("apiVersion", "")).startswith("eksctl.io/"):
            self._eksctl(path, document)
        elif kind == "Kustomization":
            self._kustomization(path, document)
        elif kind == "ClusterSecretStore":
            self.stores[_meta(document)[0]] = (path, document.line)
        elif kind in ("ExternalSecret", "ClusterExternalSecret"):
            self._external_secret(path, document, kind, kustomize_namespace)

    def _secret(self, path: str, document: LDict, default_namespace: str) -> None:
        name, namespace = _meta(document)
        if document.get("type") == "kubernetes.io/service-account-token":
            return
        for field in ("data", "stringData"):
            values = document.get(field)
            if isinstance(values, LDict) and any(v not in (None, "") for v in values.values()):
                self.violations.append(Violation(
                    path, document.line_of(field), "k8s-secret-literal", f"Secret/{name}",
                    f"Secret {name} commits literal `{field}` ({len(values)} key(s)) to the repository",
                    ESO_FIX.replace("NAME", name or "app")))
                self.secrets.append(CommittedSecret(path, document.line, name, namespace or default_namespace, "Secret"))
                return

    def _kustomization(self, path: str, document: LDict) -> None:
        namespace = str(document.get("namespace") or "")
        generators = document.get("secretGenerator")
        if not isinstance(generators, LList):
            return
        for index, generator in enumerate(generators):
            if not isinstance(generator, LDict):
                continue
            sources = [k for k in ("literals", "files", "envs", "env") if generator.get(k)]
            if not sources:
                continue
            name = str(generator.get("name") or "")
            line = generators.item_lines[index]
            self.violations.append(Violation(
                path, line, "k8s-secret-literal", f"secretGenerator/{name}",
                f"secretGenerator {name} builds a Secret from committed {', '.join(sources)}",
                ESO_FIX.replace("NAME", name or "app")))
            self.secrets.append(CommittedSecret(path, line, name, str(generator.get("namespace") or namespace), "secretGenerator"))

    def _eksctl(self, path: str, document: LDict) -> None:
        encryption = document.get("secretsEncryption")
        if isinstance(encryption, dict) and encryption.get("keyARN"):
            return
        name, _ = _meta(document)
        self.violations.append(Violation(
            path, document.line_of("secretsEncryption") if "secretsEncryption" in document else document.line,
            "eks-secrets-encryption", f"ClusterConfig/{name}",
            f"eksctl cluster {name} has no secretsEncryption.keyARN: Kubernetes secrets are not KMS-encrypted",
            "secretsEncryption:\n  keyARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"))

    def _external_secret(self, path: str, document: LDict, kind: str, default_namespace: str) -> None:
        spec = document.get("spec")
        if kind == "ClusterExternalSecret" and isinstance(spec, dict):
            spec = spec.get("externalSecretSpec")
        ref = spec.get("secretStoreRef") if isinstance(spec, dict) else None
        if not isinstance(ref, dict) or ref.get("kind") != "ClusterSecretStore":
            return
        name, namespace = _meta(document)
        self.store_uses.append(StoreUse(path, document.line, str(ref.get("name") or ""),
                                        namespace or default_namespace or "default", kind == "ClusterExternalSecret"))

    def finish(self) -> list[Violation]:
        return [*self.violations, *self._multi_cluster(), *self._cluster_stores()]

    def _multi_cluster(self) -> Iterator[Violation]:
        groups: dict[tuple[str, str], list[CommittedSecret]] = defaultdict(list)
        for secret in self.secrets:
            if secret.name:
                groups[(secret.name, secret.namespace)].append(secret)
        for (name, _), copies in groups.items():
            # One file per cluster or environment: overlays, rendered outputs, env folders.
            if len({c.path for c in copies}) < 2:
                continue
            for copy in copies:
                others = sorted({c.path for c in copies if c.path != copy.path})
                yield Violation(copy.path, copy.line, "k8s-secret-multi-cluster", f"Secret/{name}",
                                f"Secret {name} is committed for several clusters/environments (also in "
                                f"{', '.join(others)}); sync it from Secrets Manager with an ExternalSecret",
                                ESO_FIX.replace("NAME", name))

    def _cluster_stores(self) -> Iterator[Violation]:
        allowed = set(self.settings.allowed_cluster_secret_stores)
        namespaces: dict[str, set[str]] = defaultdict(set)
        for use in self.store_uses:
            namespaces[use.store].add("*" if use.cluster_wide else use.namespace)
        fix = ("kind: SecretStore   # in the one namespace that uses it, or list the store in\n"
               "# [tool.secretshift.adr] allowed_cluster_secret_stores when it is meant to be shared")
        for store, (path, line) in self.stores.items():
            used = namespaces.get(store, set())
            if store in allowed or "*" in used or len(used) >= 2:
                continue
            where = f"only namespace {next(iter(used))} uses it" if used else "no namespace in this tree uses it"
            yield Violation(path, line, "eso-cluster-secret-store", f"ClusterSecretStore/{store}",
                            f"ClusterSecretStore {store} is cluster-wide but {where}; a namespace SecretStore serves", fix)
        for use in self.store_uses:
            used = namespaces[use.store]
            if use.store in self.stores or use.store in allowed or "*" in used or len(used) >= 2:
                continue
            yield Violation(use.path, use.line, "eso-cluster-secret-store", f"ExternalSecret->{use.store}",
                            f"ExternalSecret uses ClusterSecretStore {use.store}, which only namespace "
                            f"{use.namespace} uses; a namespace SecretStore serves", fix)
