"""Helm values and plain YAML/JSON configuration -> a ``${ENV_VAR}`` placeholder filled at deploy.

The value becomes ``${DB_PASSWORD}`` (the variable named after the value's path, the way Spring's
relaxed binding and most twelve-factor loaders name it). An ExternalSecret is generated beside the
file: it materialises the variables as a Kubernetes Secret the workload loads with ``envFrom``,
or that Helm reads via ``--set``/envsubst. Where a Helm chart offers an ``existingSecret`` key next
to the value, that key is pointed at the generated Secret and the value emptied instead.
"""
from __future__ import annotations

from collections.abc import Sequence

from secretshift.migrate.rewriters import eso
from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import Edit, apply_edits, basename, beside, dirname, env_name, k8s_name
from secretshift.migrate.rewriters.yamlnodes import Scalar, checked, replace_scalar, scalar_for, scalars

EXISTING_SECRET = "existingSecret"


def is_helm_values(path: str) -> bool:
    name = basename(path)
    return name.startswith("values") and name.endswith((".yaml", ".yml"))


class StructuredConfigRewriter:
    name = "structured-config"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith((".yaml", ".yml", ".json"))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        found = scalars(text)
        edits: list[Edit] = []
        notes: list[str] = []
        remote: dict[str, tuple[str, str, str]] = {}
        helm = is_helm_values(path) or ref_kind(refs) == "helm"
        # A chart's values are named after the chart directory, so two charts never share a Secret name.
        target = k8s_name((basename(dirname(path)) if helm and dirname(path) else _stem(path)) + "-secrets")
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            if _inside_kubernetes_secret(found, scalar):
                raise RewriteRefused(f"{path}:{ref.line}: a Kubernetes Secret nested in another document (e.g. a List); "
                                     "move it to a document of its own so it can become an ExternalSecret")
            existing = _existing_secret_slot(found, scalar) if helm else None
            if existing is not None and existing.value == "" and existing.style in ('"', "'"):
                key = str(scalar.path[-1])
                edits.append((existing.start, existing.end, f'"{target}"'))
                edits.append(replace_scalar(text, ref, scalar, ""))
                remote[key] = (key, ref.secret_name, ref.json_key)
                notes.append(f"{path}: {EXISTING_SECRET} now names Secret '{target}' (key '{key}'); check the "
                             "chart's expected key names")
                continue
            variable = env_name(ref)
            placeholder = "${" + variable + "}"
            if scalar.value != placeholder:  # already rewritten (a re-run): nothing to edit
                edits.append(replace_scalar(text, ref, scalar, placeholder))
            remote[variable] = (variable, ref.secret_name, ref.json_key)
            notes.append(f"{path}: ${{{variable}}} must be filled at deploy (envsubst, helm --set, or a loader "
                         f"that expands environment variables) from Secret '{target}'")
        manifest = eso.external_secret(target, None, sorted(remote.values()), settings)
        extra = {beside(path, f"externalsecret-{target}.yaml"): eso.emit(manifest)}
        return RewriteResult(checked(path, apply_edits(text, edits)), extra, (*dict.fromkeys(notes), *eso.store_notes(settings)))


def ref_kind(refs: Sequence[Reference]) -> str | None:
    return refs[0].kind if refs else None


def _stem(path: str) -> str:
    return basename(path).rsplit(".", 1)[0]


def _inside_kubernetes_secret(found: Sequence[Scalar], scalar: Scalar) -> bool:
    kinds = {s.path[:-1] for s in found if s.doc == scalar.doc and s.path[-1:] == ("kind",) and s.value == "Secret"}
    return any(scalar.path[:depth] in kinds for depth in range(len(scalar.path)))


def _existing_secret_slot(found: Sequence[Scalar], scalar: Scalar) -> Scalar | None:
    sibling = (*scalar.path[:-1], EXISTING_SECRET)
    return next((s for s in found if s.doc == scalar.doc and s.path == sibling), None)
