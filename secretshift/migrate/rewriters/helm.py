"""A Helm chart's values file -> an ExternalSecret (and SecretStore) under the chart's `templates/`.

A value is migrated only where the chart already reads it from a Kubernetes Secret that an
`existingSecret`-style switch can replace: the chart's own Secret template holds it under a key
(`stringData: {stripe-api-key: {{ .Values.stripe.apiKey }}}`) and renders only when that switch is
empty (`{{- if not .Values.stripe.existingSecret }}`). Then:
- the value is emptied and the switch names the Secret the ExternalSecret creates;
- `templates/secretshift-externalsecret-<group>.yaml` creates that Secret (name from the switch,
  so the templates that read it — `secretKeyRef.name` — find it) with the keys the chart's
  templates read (`secretKeyRef.key`), templated on the release;
- a namespace-local SecretStore `templates/secretshift-secretstore.yaml` (unless a
  ClusterSecretStore is configured).
A value a template hands to the pod as plain text (`value: {{ .Values.redis.password }}`) is
refused for that site with the template's line: neither Helm nor Kubernetes expands `${...}`, so no
placeholder would work; the template must read a Secret first.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import Edit, apply_edits, dirname, k8s_name
from secretshift.migrate.rewriters.yamlnodes import checked, render, replace_scalar, scalar_for, scalars

SWITCH_KEYS = ("existingSecret", "existingSecretName", "secretName")
_SECRET_KIND = re.compile(r"(?m)^kind:\s*Secret\s*$")


def chart_dir(path: str) -> str:
    return dirname(path)


def is_chart_values(path: str, settings: RewriteSettings) -> bool:
    name = path.rsplit("/", 1)[-1]
    folder = chart_dir(path)
    chart = f"{folder}/Chart.yaml" if folder else "Chart.yaml"
    return name.startswith("values") and name.endswith((".yaml", ".yml")) and chart in settings.related


class HelmValuesRewriter:
    name = "helm"

    def applies_to(self, path: str, text: str) -> bool:
        # Needs the chart's templates (RewriteSettings.related); the plan decides with them.
        name = path.rsplit("/", 1)[-1]
        return name.startswith("values") and name.endswith((".yaml", ".yml"))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        if not is_chart_values(path, settings):
            raise RewriteRefused(f"{path}: not the values file of a Helm chart (no Chart.yaml beside it)")
        templates = {p: t for p, t in settings.related.items() if "/templates/" in f"/{p}"}
        found = scalars(text)
        edits: list[Edit] = []
        remote: dict[str, list[tuple[str, str, str]]] = {}  # switch path -> (secretKey, ASM name, property)
        chart = _chart_name(settings.related, chart_dir(path))
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            value_path = ".".join(str(p) for p in scalar.path)
            parent = scalar.path[:-1]
            switch = next((s for s in SWITCH_KEYS if _path_in(found, (*parent, s))), None)
            secret_key = _secret_template_key(templates, value_path, ".".join(map(str, (*parent, switch)))
                                              if switch else None)
            if switch is None or secret_key is None:
                raise RewriteRefused(f"{path}:{ref.line}: {_why(templates, value_path)}")
            edits.append(replace_scalar(text, ref, scalar, ""))
            switch_path = ".".join(str(p) for p in (*parent, switch))
            remote.setdefault(switch_path, []).append((secret_key, ref.secret_name, ref.json_key))
        extra: dict[str, str] = {}
        for switch_path, items in sorted(remote.items()):
            group = switch_path.rsplit(".", 1)[0]
            target = k8s_name(f"{chart}-{group}")
            switch_scalar = next(s for s in found if ".".join(map(str, s.path)) == switch_path)
            if switch_scalar.value not in ("", target):
                raise RewriteRefused(f"{path}:{_line(text, switch_scalar.start)}: {switch_path} already names "
                                     f"the Secret {switch_scalar.value!r}; migrate that Secret instead")
            edits.append((switch_scalar.start, switch_scalar.end, render(target, switch_scalar.style or '"')))
            folder = chart_dir(path)
            prefix = f"{folder}/templates" if folder else "templates"
            extra[f"{prefix}/secretshift-externalsecret-{k8s_name(group)}.yaml"] = external_secret(
                switch_path, items, settings)
        if settings.eso_store_kind == "SecretStore":
            folder = chart_dir(path)
            extra[f"{folder + '/' if folder else ''}templates/secretshift-secretstore.yaml"] = secret_store(settings)
        notes = (f"{path}: the chart now reads these values from AWS Secrets Manager through External Secrets "
                 "Operator (templates/secretshift-*.yaml); the operator's service account needs the IAM policy",)
        return RewriteResult(checked(path, apply_edits(text, edits)), extra, notes)


def _path_in(found: Sequence[object], path: tuple[object, ...]) -> bool:
    return any(getattr(s, "path", None) == path for s in found)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _chart_name(related: Mapping[str, str], folder: str) -> str:
    chart = related.get(f"{folder}/Chart.yaml" if folder else "Chart.yaml", "")
    match = re.search(r"(?m)^name:\s*[\"']?([\w.-]+)", chart)
    return match.group(1) if match else (folder.rsplit("/", 1)[-1] or "chart")


def _secret_template_key(templates: Mapping[str, str], value_path: str, switch_path: str | None) -> str | None:
    """The key under which the chart's own Secret template stores ``.Values.<value_path>``, when
    that template renders only without the switch."""
    if switch_path is None:
        return None
    use = re.compile(rf"^\s*([\w.-]+):\s*{{{{-?\s*.*\.Values\.{re.escape(value_path)}\b", re.MULTILINE)
    guard = re.compile(rf"{{{{-?\s*if\s+not\s+\.Values\.{re.escape(switch_path)}\s*-?}}}}")
    for text in templates.values():
        if not _SECRET_KIND.search(text) or not guard.search(text):
            continue
        match = use.search(text)
        if match:
            return match.group(1)
    return None


def _why(templates: Mapping[str, str], value_path: str) -> str:
    pattern = re.compile(rf"\.Values\.{re.escape(value_path)}\b")
    for template_path, text in sorted(templates.items()):
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                return (f"{template_path}:{number} hands .Values.{value_path} to Kubernetes as plain text; "
                        "make that template read a Secret (valueFrom.secretKeyRef with an existingSecret "
                        "switch) and plan again — Helm and Kubernetes do not expand ${...} placeholders")
    return (f"no template of the chart reads .Values.{value_path} from a Secret with an existingSecret "
            "switch; move it by hand")


def external_secret(switch_path: str, items: Sequence[tuple[str, str, str]], settings: RewriteSettings) -> str:
    lines = [
        "# Written by secretshift: the chart's Secret, filled from AWS Secrets Manager by External Secrets Operator.",
        f"{{{{- if .Values.{switch_path} }}}}",
        "apiVersion: external-secrets.io/v1",
        "kind: ExternalSecret",
        "metadata:",
        f"  name: {{{{ .Values.{switch_path} }}}}",
        "spec:",
        f"  refreshInterval: {settings.eso_refresh_interval}",
        "  secretStoreRef:",
        f"    name: {_store_name(settings)}",
        f"    kind: {settings.eso_store_kind}",
        "  target:",
        f"    name: {{{{ .Values.{switch_path} }}}}",
        "    creationPolicy: Owner",
        "  data:",
    ]
    for secret_key, secret_name, prop in sorted(items):
        lines += [f"    - secretKey: {render(secret_key, None)}", "      remoteRef:",
                  f"        key: {render(secret_name, None)}", f"        property: {render(prop, None)}"]
    lines.append("{{- end }}")
    return "\n".join(lines) + "\n"


def _store_name(settings: RewriteSettings) -> str:
    if settings.eso_store_kind == "ClusterSecretStore":
        return settings.eso_store_name
    return '{{ .Release.Name }}-' + settings.eso_store_name


def secret_store(settings: RewriteSettings) -> str:
    region = settings.region or "us-east-1"
    return "\n".join([
        "# Written by secretshift: how External Secrets Operator reaches AWS Secrets Manager (IRSA).",
        "apiVersion: external-secrets.io/v1",
        "kind: SecretStore",
        "metadata:",
        f"  name: {_store_name(settings)}",
        "spec:",
        "  provider:",
        "    aws:",
        "      service: SecretsManager",
        f"      region: {region}",
        "      auth:",
        "        jwt:",
        "          serviceAccountRef:",
        f"            name: {settings.eso_service_account}",
    ]) + "\n"
