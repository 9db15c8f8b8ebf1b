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
from secretshift.migrate.rewriters.yamlnodes import Scalar, checked, double_quoted, replace_scalar, scalar_for, scalars

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
        edits: list[tuple[int, int, str]] = []
        notes = [
            "CloudFormation resolves secretsmanager dynamic references at deploy time: update the stack "
            "after rotating the secret so resources pick up the new value",
        ]
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            if scalar.path[:1] == ("Parameters",) and len(scalar.path) == 3 and scalar.path[2] == "Default":
                edits.extend(_parameter_default(path, text, ref, str(scalar.path[1]), found))
                targets = [s for s in found if s.tag == "!Ref" and s.value == scalar.path[1]]
            elif scalar.path and scalar.path[0] in _UNRESOLVED_SECTIONS:
                raise RewriteRefused(
                    f"{path}:{ref.line}: dynamic references do not resolve under {scalar.path[0]}; "
                    "move the value into the resource property that uses it")
            else:
                edits.append(replace_scalar(text, ref, scalar, dynamic_reference(ref)))
                targets = [scalar]
            if any(_in_lambda_environment(found, t) for t in targets):
                notes.append(f"{path}: a resolved value lands in a Lambda function's environment, where anyone with "
                             "lambda:GetFunctionConfiguration reads it in plaintext; better read the secret at run "
                             "time (AWS Parameters and Secrets Lambda Extension, or the SDK)")
        return RewriteResult(checked(path, apply_edits(text, edits)), notes=tuple(notes))


def _parameter_default(path: str, text: str, ref: Reference, parameter: str,
                       found: list[Scalar]) -> list[tuple[int, int, str]]:
    """A secret in a Parameter's Default: every `!Ref Parameter` in Resources becomes the dynamic
    reference and the parameter goes away (a parameter without its default would have to be
    typed in at every deploy). Any other use (`!Sub ${...}`, `Ref:` long form, Outputs) is refused."""
    uses = [s for s in found if s.tag == "!Ref" and s.value == parameter]
    if not uses or any(s.path[:1] != ("Resources",) for s in uses):
        raise RewriteRefused(f"{path}:{ref.line}: the parameter {parameter} is not only used as `!Ref` in Resources; "
                             "replace its uses with the dynamic reference by hand")
    mentions = len(re.findall(rf"(?<![\w:]){re.escape(parameter)}(?!\w)", text))
    if mentions != len(uses) + 1:  # the uses plus the parameter's own key
        raise RewriteRefused(f"{path}:{ref.line}: the parameter {parameter} is also used in a way other than "
                             "`!Ref` (e.g. !Sub ${...}); replace its uses with the dynamic reference by hand")
    edits = [(s.start, s.end, double_quoted(dynamic_reference(ref))) for s in uses]
    block = re.search(rf"(?m)^(?P<indent>[ \t]+){re.escape(parameter)}:[ \t]*(?:#.*)?\n"
                      rf"(?:(?P=indent)[ \t]+.*\n|[ \t]*\n)*", text)
    if block is None:
        raise RewriteRefused(f"{path}:{ref.line}: the parameter {parameter} is not written in block style")
    edits.append((block.start(), block.end(), ""))
    return edits


def _in_lambda_environment(found: list[Scalar], scalar: Scalar) -> bool:
    if len(scalar.path) < 4 or scalar.path[0] != "Resources" or "Environment" not in scalar.path:
        return False
    type_path = (*scalar.path[:2], "Type")
    return any(s.path == type_path and s.value in ("AWS::Lambda::Function", "AWS::Serverless::Function")
               for s in found)
