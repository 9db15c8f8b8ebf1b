"""GitHub Actions workflows: literal ``env:``/``with:`` values -> ``aws-actions/aws-secretsmanager-get-secrets``.

Each affected job gets two steps first: ``configure-aws-credentials`` (OIDC, role from settings)
and ``aws-secretsmanager-get-secrets`` with ``parse-json-secrets: true``, which exports
``<ALIAS>_<JSON KEY>`` (upper-cased) to the job's later steps. A step's ``env:`` entry or action
input (``with:``) then reads that variable through ``${{ env.* }}``. Job- and workflow-level ``env:`` cannot read ``env`` (GitHub
evaluates them before any step runs), so such an entry moves into every step of the job.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span
from secretshift.migrate.rewriters.common import env_key
from secretshift.migrate.rewriters.eso import DEFAULT_REGION
from secretshift.migrate.rewriters.yamlnodes import Scalar, checked, scalar_for, scalars, whole

CONFIGURE = "aws-actions/configure-aws-credentials@v4"
GET_SECRETS = "aws-actions/aws-secretsmanager-get-secrets@v2"


def alias(secret_name: str) -> str:
    return env_key(secret_name)


def exported(ref: Reference) -> str:
    return f"{alias(ref.secret_name)}_{env_key(ref.json_key)}"


class GitHubWorkflowRewriter:
    name = "github-workflow"

    def applies_to(self, path: str, text: str) -> bool:
        return bool(re.search(r"(^|/)\.github/workflows/[^/]+\.ya?ml$", path))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        if not settings.github_role_arn:
            raise RewriteRefused(
                f"{path}: no IAM role for GitHub OIDC configured (set role_arn under "
                "[tool.secretshift.migrate.github]); the workflow needs one to read AWS Secrets Manager")
        yaml = _yaml(text)
        data = yaml.load(text)
        jobs = data.get("jobs") or {}
        found = scalars(text)
        needs: dict[str, dict[str, str]] = {}  # job -> {alias: secret name}
        notes: list[str] = []
        for ref in refs:
            scalar = scalar_for(text, ref, found)
            where = scalar.path
            value = _embedded(path, text, ref, scalar, "${{ env." + exported(ref) + " }}")
            if len(where) == 6 and where[0] == "jobs" and where[2] == "steps" and where[4] in ("env", "with"):
                # A step's env and its action inputs (with:) may both read the env context.
                job_ids = [str(where[1])]
                jobs[where[1]]["steps"][where[3]][where[4]][where[5]] = value
            elif len(where) == 4 and where[0] == "jobs" and where[2] == "env":
                job_ids = [str(where[1])]
                _move_into_steps(jobs[where[1]], str(where[3]), value)
            elif len(where) == 2 and where[0] == "env":
                job_ids = [str(job) for job in jobs]
                for job_id in job_ids:
                    if "steps" not in jobs[job_id]:
                        raise RewriteRefused(f"{path}: job '{job_id}' calls a reusable workflow; pass the secret to it explicitly")
                    _move_into_steps(jobs[job_id], str(where[1]), value)
                _drop(data, str(where[1]))
            else:
                raise RewriteRefused(f"{path}:{ref.line}: only values under env: (workflow, job or step) or a "
                                     "step's with: are rewritten")
            for job_id in job_ids:
                needs.setdefault(job_id, {})[alias(ref.secret_name)] = ref.secret_name
            notes.append(f"{path}: {ref.key or where[-1]} now comes from {exported(ref)} (set by {GET_SECRETS})")
        if settings.region is None:
            notes.append(f"{path}: no region configured: aws-region is {DEFAULT_REGION}; check it")
        for job_id, secrets in needs.items():
            _add_steps(path, jobs[job_id], secrets, settings)
            notes.extend(_grant_id_token(path, data, job_id, jobs[job_id]))
        out = io.StringIO()
        yaml.dump(data, out)
        return RewriteResult(checked(path, out.getvalue()), notes=tuple(notes))


def _embedded(path: str, text: str, ref: Reference, scalar: Scalar, expression: str) -> str:
    """The entry's new value: the expression, inside the rest of the string when the secret was part of one."""
    if whole(text, ref, scalar):
        return expression
    start, end = char_span(text, ref)
    quote = 1 if scalar.style in ('"', "'") else 0
    inner_start = scalar.start + quote
    if scalar.style in ("|", ">") or text[inner_start:scalar.end - quote] != scalar.value:
        raise RewriteRefused(f"{path}:{ref.line}: the value is embedded in a string this rewriter cannot edit safely")
    return scalar.value[:start - inner_start] + expression + scalar.value[end - inner_start:]


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.explicit_start = bool(re.match(r"(\s*#[^\n]*\n)*---(\s|$)", text))
    mapping, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=mapping + offset, offset=offset)
    return yaml


def _indentation(text: str) -> tuple[int, int]:
    """The file's mapping indent and how far list dashes sit inside their parent key."""
    nested = re.search(r"^[A-Za-z_][^\n]*:\s*\n( +)[A-Za-z_\"']", text, re.MULTILINE)
    mapping = len(nested.group(1)) if nested else 2
    dash = re.search(r"^( *)[\w\"'-]+:\s*\n( *)- ", text, re.MULTILINE)
    offset = len(dash.group(2)) - len(dash.group(1)) if dash else mapping
    return mapping, max(0, offset)


def _drop(holder: Any, key: str) -> None:
    env = holder.get("env")
    if env is None or key not in env:
        return
    keys = list(env)
    token = env.ca.items.pop(key, [None, None, None, None])[2]
    del env[key]
    if not env:
        del holder["env"]
    elif keys[-1] == key and token is not None and token.value.endswith("\n\n"):
        # ruamel keeps the blank lines after a block in its last entry's comment: carry them over.
        _append_blank_lines(env, keys[-2], token.value[token.value.index("\n") + 1:])


def _append_blank_lines(mapping: Any, key: str, blanks: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    slots = mapping.ca.items.setdefault(key, [None, None, None, None])
    if slots[2] is None:
        slots[2] = CommentToken("\n" + blanks, CommentMark(0), None)
    else:
        slots[2].value = slots[2].value + blanks


def _move_into_steps(job: Any, key: str, value: str) -> None:
    """A workflow- or job-level env entry goes only to the steps that read it (`$KEY`, `${KEY}`,
    `env.KEY`); when none names it, to the `run:` steps (a script may read it implicitly) —
    never to an action such as actions/checkout that does not ask for it."""
    from ruamel.yaml.comments import CommentedMap

    _drop(job, key)
    steps = list(job.get("steps") or [])
    reads = re.compile(rf"\$\{{?{re.escape(key)}\b|\benv\.{re.escape(key)}\b")
    readers = [s for s in steps if reads.search(str(s.get("run", "")) + str(s.get("with", "")))]
    for step in readers or [s for s in steps if "run" in s]:
        env = step.get("env")
        if env is None:
            _append(step, "env", CommentedMap([(key, value)]))
        elif key not in env:
            _append(env, key, value)


def _append(mapping: Any, key: str, value: Any) -> None:
    """Add ``key`` last, moving the comment lines that followed the old last entry after it."""
    keys = list(mapping)
    slots = mapping.ca.items.get(keys[-1]) if keys else None
    mapping[key] = value
    if not slots or slots[2] is None or "\n" not in slots[2].value:
        return
    end_of_line, _, following = slots[2].value.partition("\n")
    if not following:
        return
    slots[2].value = end_of_line + "\n"
    holder, last = mapping, key
    while hasattr(holder[last], "ca") and len(holder[last]):
        holder, last = holder[last], list(holder[last])[-1]
    _append_blank_lines(holder, last, following)


def _add_steps(path: str, job: Any, secrets: dict[str, str], settings: RewriteSettings) -> None:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    steps = job.get("steps")
    if steps is None:
        raise RewriteRefused(f"{path}: a job without steps cannot fetch secrets")
    existing = next((s for s in steps if str(s.get("uses", "")).startswith(GET_SECRETS.split("@")[0])), None)
    lines = [f"{name},{secret}" for name, secret in sorted(secrets.items())]
    if existing is not None:
        current = str(existing.get("with", {}).get("secret-ids", ""))
        missing = [line for line in lines if line not in current.splitlines()]
        if missing:
            existing["with"]["secret-ids"] = LiteralScalarString(current.rstrip("\n") + "\n" + "\n".join(missing) + "\n")
        return
    configure = CommentedMap()
    configure["name"] = "Configure AWS credentials (OIDC)"
    configure["uses"] = CONFIGURE
    configure["with"] = CommentedMap([("role-to-assume", settings.github_role_arn),
                                      ("aws-region", settings.region or DEFAULT_REGION)])
    fetch = CommentedMap()
    fetch["name"] = "Read secrets from AWS Secrets Manager"
    fetch["uses"] = GET_SECRETS
    fetch["with"] = CommentedMap([("secret-ids", LiteralScalarString("\n".join(lines) + "\n")),
                                  ("parse-json-secrets", True)])
    # Right before the first step that reads one of them: the action exports the values to the
    # job's LATER steps only, so earlier steps (actions/checkout...) never see them.
    marks = [f"env.{alias_}_" for alias_ in secrets]
    first = next((i for i, step in enumerate(steps) if any(m in _flat(step) for m in marks)), 0)
    steps.insert(first, fetch)
    if not any(str(s.get("uses", "")).startswith(CONFIGURE.split("@")[0]) for s in steps):
        steps.insert(first, configure)


def _flat(node: Any) -> str:
    if isinstance(node, dict):
        return " ".join(f"{k} {_flat(v)}" for k, v in node.items())
    if isinstance(node, list):
        return " ".join(_flat(v) for v in node)
    return str(node)


def _grant_id_token(path: str, workflow: Any, job_id: str, job: Any) -> list[str]:
    """OIDC needs ``id-token: write``; add it where the job's permissions are decided, keeping the rest."""
    from ruamel.yaml.comments import CommentedMap

    holder = job if "permissions" in job else workflow if "permissions" in workflow else None
    if holder is None:
        # Any explicit permissions block sets unlisted scopes to none; keep checkout working.
        keys = list(job)
        position = keys.index("runs-on") + 1 if "runs-on" in keys else 0
        job.insert(position, "permissions", CommentedMap([("contents", "read"), ("id-token", "write")]))
        return [f"{path}: job '{job_id}' now declares permissions contents: read and id-token: write"]
    permissions: Any = holder["permissions"]
    if permissions == "write-all":
        return []
    if not hasattr(permissions, "insert"):
        raise RewriteRefused(f"{path}: permissions '{permissions}' cannot gain id-token: write; list the scopes instead")
    if "id-token" in permissions:
        permissions["id-token"] = "write"
    else:  # first, so blank lines and comments after the block stay where they were
        permissions.insert(0, "id-token", "write")
    return []
