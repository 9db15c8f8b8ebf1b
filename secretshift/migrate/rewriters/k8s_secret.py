"""Kubernetes ``Secret`` manifests -> an External Secrets Operator ``ExternalSecret`` in its place.

The ExternalSecret recreates the same namespace-local Secret (name, namespace, keys, type) from
AWS Secrets Manager; keys that were never secret stay literal in its template. The store it reads
is written once beside the manifests. Other documents in the file keep their bytes.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any

from secretshift.migrate.rewriters import eso
from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span
from secretshift.migrate.rewriters.common import apply_edits
from secretshift.migrate.rewriters.yamlnodes import Document, Scalar, checked, documents, scalar_for, scalars, whole

_SECRET_DOC = re.compile(r"^kind:\s*[\"']?Secret[\"']?\s*$", re.MULTILINE)
_JSON_SECRET = re.compile(r'"kind"\s*:\s*"Secret"')


class KubernetesSecretRewriter:
    name = "k8s-secret"

    def applies_to(self, path: str, text: str) -> bool:
        if path.endswith(".json"):
            return bool(_JSON_SECRET.search(text)) and '"apiVersion"' in text
        return path.endswith((".yaml", ".yml")) and bool(_SECRET_DOC.search(text)) and "apiVersion:" in text

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        docs = documents(text)
        found = scalars(text)
        per_doc: dict[int, list[tuple[str, Reference]]] = {}
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            if len(scalar.path) != 2 or scalar.path[0] not in ("data", "stringData"):
                raise RewriteRefused(f"{path}:{ref.line}: not a value under data/stringData of a Secret")
            if not whole(text, ref, scalar) and not _whole_block(text, ref, scalar):
                raise RewriteRefused(f"{path}:{ref.line}: the secret is part of a longer value; an ExternalSecret "
                                     "template would be needed to rebuild it, so write that by hand")
            per_doc.setdefault(scalar.doc, []).append((str(scalar.path[1]), ref))
        edits = []
        extra: dict[str, str] = {}
        notes = list(eso.store_notes(settings))
        for index, doc_refs in sorted(per_doc.items()):
            manifest, namespace, name = self._replacement(path, text, docs[index], doc_refs, settings)
            body = text[docs[index].start:docs[index].end]
            if not body.endswith("\n"):
                manifest = manifest.rstrip("\n")
            edits.append((docs[index].start, docs[index].end, manifest))
            store_path, store_text = eso.store_file(path, namespace, settings)
            extra[store_path] = store_text
            notes.append(f"{path}: if Secret '{name}' already exists in the cluster (applied from the old manifest), "
                         "delete it once the ExternalSecret is applied, or set target.creationPolicy: Merge")
        return RewriteResult(checked(path, apply_edits(text, edits)), extra, tuple(notes))

    def _replacement(self, path: str, text: str, doc: Document, doc_refs: list[tuple[str, Reference]],
                     settings: RewriteSettings) -> tuple[str, str | None, str]:
        secret = _load(text[doc.start:doc.end])
        if not isinstance(secret, dict) or secret.get("kind") != "Secret":
            raise RewriteRefused(f"{path}: the referenced document is not a Kubernetes Secret")
        metadata = secret.get("metadata") or {}
        name, namespace = metadata.get("name"), metadata.get("namespace")
        if not name:
            raise RewriteRefused(f"{path}: the Secret has no metadata.name (generateName is not supported)")
        migrated = {key for key, _ in doc_refs}
        remote = [(key, ref.secret_name, ref.json_key) for key, ref in sorted(doc_refs, key=lambda kr: kr[0])]
        literals = {k: str(v) for k, v in (secret.get("stringData") or {}).items() if k not in migrated}
        for key, value in (secret.get("data") or {}).items():
            if key not in migrated and key not in literals:
                literals[key] = _decode(path, key, str(value))
        if any("{{" in value for value in literals.values()):
            raise RewriteRefused(f"{path}: a literal key holds '{{{{', which ESO templates would evaluate")
        manifest = eso.external_secret(
            str(name), str(namespace) if namespace else None, remote, settings,
            secret_type=secret.get("type"), literals=literals,
            labels=metadata.get("labels"), annotations=metadata.get("annotations"),
        )
        rendered = json.dumps(manifest, indent=2) + "\n" if path.endswith(".json") else eso.emit(manifest)
        return rendered, str(namespace) if namespace else None, str(name)


def _whole_block(text: str, ref: Reference, scalar: Scalar) -> bool:
    """A block scalar (`|`, `>`) whose whole content is the value, as a detector reads it: its
    lines without the YAML indentation (a PEM key under `stringData: tls.key: |`)."""
    if scalar.style not in ("|", ">"):
        return False
    start, end = char_span(text, ref)

    def rows(value: str) -> list[str]:
        return [line.strip() for line in value.strip().splitlines()]

    return rows(text[start:end]) == rows(scalar.value)


def _load(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


def _decode(path: str, key: str, value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise RewriteRefused(f"{path}: data key '{key}' is not base64 text; cannot keep it in a template") from None
