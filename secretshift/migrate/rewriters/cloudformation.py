"""CloudFormation templates (YAML or JSON) -> ``{{resolve:secretsmanager:...}}`` dynamic references.

Only the referenced scalar changes; ``!Ref``/``!Sub``/``!GetAtt`` tags and everything else keep
their bytes. Dynamic references resolve in resource properties only, so a value under
``Parameters``, ``Outputs``, ``Mappings``, ``Conditions`` or ``Metadata`` is refused.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import apply_edits
from secretshift.migrate.rewriters.yamlnodes import checked, replace_scalar, scalar_for, scalars

_MARKERS = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::[A-Za-z0-9]+::")
_UNRESOLVED_SECTIONS = ("Parameters", "Outputs", "Mappings", "Conditions", "Metadata")


def dynamic_reference(ref: Reference) -> str:
    return f"{{{{resolve:secretsmanager:{ref.secret_name}:SecretString:{ref.json_key}}}}}"


class CloudFormationRewriter:
    name = "cloudformation"

    def applies_to(self, path: str, text: str) -> bool:
        if not path.endswith((".yaml", ".yml", ".json", ".template")):
            return False
        return "Resources" in text and bool(_MARKERS.search(text))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        found = scalars(text)
        edits = []
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            if scalar.path and scalar.path[0] in _UNRESOLVED_SECTIONS:
                raise RewriteRefused(
                    f"{path}:{ref.line}: dynamic references do not resolve under {scalar.path[0]}; "
                    "move the value into the resource property that uses it")
            edits.append(replace_scalar(text, ref, scalar, dynamic_reference(ref)))
        notes = (
            "CloudFormation resolves secretsmanager dynamic references at deploy time: update the stack "
            "after rotating the secret so resources pick up the new value",
        )
        return RewriteResult(checked(path, apply_edits(text, edits)), notes=notes)
