"""docker-compose files: a literal becomes ``${VAR:?...}`` interpolation, filled at deploy.

Compose interpolates every value, and ``:?`` makes ``docker compose`` stop with a message when the
variable is missing instead of starting a service with an empty password.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import apply_edits, env_key
from secretshift.migrate.rewriters.yamlnodes import Scalar, checked, replace_scalar, scalar_for, scalars

_COMPOSE_NAME = re.compile(r"(^|/)(docker-)?compose(\.[\w-]+)?\.ya?ml$")


def variable(ref: Reference, scalar: Scalar) -> str:
    if len(scalar.path) >= 2 and scalar.path[-2] == "environment" and isinstance(scalar.path[-1], str):
        return env_key(scalar.path[-1])
    if len(scalar.path) >= 2 and scalar.path[-2] == "environment" and "=" in scalar.value:
        return env_key(scalar.value.split("=", 1)[0])
    return env_key(ref.key or ref.json_key)


def interpolation(name: str, ref: Reference) -> str:
    return f"${{{name}:?set {name} from AWS Secrets Manager secret {ref.secret_name} key {ref.json_key}}}"


_TOP_SERVICES = re.compile(r"(?m)^services:[ \t]*(?:#.*)?$")
_NOT_COMPOSE = re.compile(r"(?m)^(?:apiVersion|kind|AWSTemplateFormatVersion|Resources|jobs|on):")


class ComposeRewriter:
    name = "compose"

    def applies_to(self, path: str, text: str) -> bool:
        # By name, or any YAML whose top level has `services:` and no Kubernetes/CloudFormation
        # markers (teams name compose files `stack.yml`, `local.yaml`, `ci/services.yml`...).
        if _COMPOSE_NAME.search(path):
            return True
        name = path.rsplit("/", 1)[-1]
        return (path.endswith((".yaml", ".yml")) and not name.startswith("values")  # Helm values
                and bool(_TOP_SERVICES.search(text)) and not _NOT_COMPOSE.search(text))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        found = scalars(text)
        edits = []
        notes = []
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            if "$" in scalar.value.replace("$$", ""):
                raise RewriteRefused(f"{path}:{ref.line}: the value already interpolates variables; edit it by hand")
            name = variable(ref, scalar)
            edits.append(replace_scalar(text, ref, scalar, interpolation(name, ref)))
            notes.append(
                f"{path}: export {name} before 'docker compose up', e.g. {name}=$(aws secretsmanager "
                f"get-secret-value --secret-id {ref.secret_name} --query SecretString --output text | "
                f"jq -r '.[\"{ref.json_key}\"]')")
        return RewriteResult(checked(path, apply_edits(text, edits)), notes=tuple(dict.fromkeys(notes)))
