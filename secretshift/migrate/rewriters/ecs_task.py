"""ECS task definitions (JSON): ``environment`` entries -> ``secrets: [{name, valueFrom}]``.

``valueFrom`` is ``<secret ARN>:<json key>::`` (ECS wants the full ARN when it picks a JSON key).
ARNs exist only once apply has created the secrets, so while planning (``secret_arns`` empty) the
preview uses a placeholder ARN that says so; apply rewrites with the real ARN. At apply time a
missing ARN is refused rather than guessed.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.yamlnodes import scalar_for, scalars, whole

PLACEHOLDER_ACCOUNT = "ACCOUNT-ID-KNOWN-AT-APPLY"


def placeholder_arn(secret_name: str, region: str | None) -> str:
    return f"arn:aws:secretsmanager:{region or 'REGION'}:{PLACEHOLDER_ACCOUNT}:secret:{secret_name}"


class EcsTaskDefinitionRewriter:
    name = "ecs-task"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith(".json") and '"containerDefinitions"' in text

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        try:
            data = json.loads(text)
        except ValueError:
            raise RewriteRefused(f"{path}: not valid JSON") from None
        found = scalars(text)
        removals: dict[tuple[Any, ...], set[int]] = {}
        notes = ["the task's execution role needs secretsmanager:GetSecretValue on these secrets "
                 "(see the generated IAM policy)"]
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            where = scalar.path
            if len(where) < 4 or where[-1] != "value" or where[-3] != "environment":
                raise RewriteRefused(f"{path}:{ref.line}: only containerDefinitions[].environment values are rewritten")
            if not whole(text, ref, scalar):
                raise RewriteRefused(f"{path}:{ref.line}: the secret is part of a longer value and ECS injects whole "
                                     "values; store the complete value as the secret or assemble it in the application")
            container = _at(data, where[:-3])
            entry = container["environment"][where[-2]]
            arn = settings.secret_arns.get(ref.secret_name)
            if arn is None:
                if settings.secret_arns:
                    raise RewriteRefused(f"{path}: the ARN of '{ref.secret_name}' is known only at apply time")
                arn = placeholder_arn(ref.secret_name, settings.region)
                notes.append(f"preview: {PLACEHOLDER_ACCOUNT} in valueFrom is replaced by the real ARN at apply")
            secrets = container.setdefault("secrets", [])
            if not any(s.get("name") == entry["name"] for s in secrets):
                secrets.append({"name": entry["name"], "valueFrom": f"{arn}:{ref.json_key}::"})
            removals.setdefault(tuple(where[:-3]), set()).add(int(where[-2]))
        for container_path, indexes in removals.items():
            container = _at(data, container_path)
            container["environment"] = [e for i, e in enumerate(container["environment"]) if i not in indexes]
            if not container["environment"]:
                del container["environment"]
        return RewriteResult(_dump(text, data), notes=tuple(dict.fromkeys(notes)))


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        data = data[part]
    return data


def _dump(original: str, data: Any) -> str:
    indent = re.search(r"\n([ \t]+)\S", original)
    unit: int | str = len(indent.group(1)) if indent and indent.group(1).strip(" ") == "" else "\t" if indent else 2
    return json.dumps(data, indent=unit, ensure_ascii=False) + ("\n" if original.endswith("\n") else "")
