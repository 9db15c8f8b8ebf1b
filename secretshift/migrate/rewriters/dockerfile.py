"""Dockerfiles: an ``ENV``/``ARG`` secret is removed, never baked into an image layer.

Image layers and build args are readable by anyone who can pull the image, so there is no
safe in-file replacement. A build-time secret (an ``ARG`` that a later ``RUN`` reads) moves to a
BuildKit secret mount on each such ``RUN`` (``RUN --mount=type=secret`` with the ARG's name as its
id and env: the value exists only while that command runs), and the comment gives the matching
``docker build --secret`` flag; a run-time one (``ENV``) is left to the platform (ECS
``secrets``, a Kubernetes Secret): the line goes, a comment says where the value went.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span
from secretshift.migrate.rewriters.common import apply_edits, basename

_INSTRUCTION = re.compile(r"^(\s*)(ENV|ARG)\s+(.*)$", re.IGNORECASE)
_PAIR = re.compile(r"""([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")
NOTE = (
    "never bake secrets into images: pass the value at run time (ECS secrets, Kubernetes Secret, "
    "--env-file), or at build time with BuildKit: RUN --mount=type=secret,id=NAME and "
    "'docker build --secret id=NAME,env=NAME'"
)


class DockerfileRewriter:
    name = "dockerfile"

    def applies_to(self, path: str, text: str) -> bool:
        name = basename(path)
        return name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".dockerfile")

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        edits = []
        for ref in refs:
            start, _ = char_span(text, ref)
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            line = text[line_start:line_end]
            match = _INSTRUCTION.match(line)
            if match is None or line.rstrip().endswith("\\"):
                raise RewriteRefused(
                    f"{path}:{ref.line}: only single-line ENV/ARG values are removed automatically; "
                    "use RUN --mount=type=secret for secrets needed while building")
            indent, instruction, rest = match.groups()
            pairs = list(_PAIR.finditer(rest))
            offset = line_start + match.start(3)
            hit = [p for p in pairs if offset + p.start(2) <= start < offset + p.end(2) + 1]
            comment = (f"{indent}# {instruction.upper()} {hit[0].group(1) if hit else rest.split()[0]}: removed by "
                       f"secretshift; the value is in AWS Secrets Manager ({ref.secret_name}, key {ref.json_key}). "
                       "Pass it at run time, or build with RUN --mount=type=secret.")
            name = hit[0].group(1) if hit else rest.split()[0].split("=", 1)[0]
            users = _runs_using(text, line_end, name) if instruction.upper() == "ARG" else []
            if users:
                comment = (f"{indent}# ARG {name}: removed by secretshift; a BuildKit secret now (AWS Secrets Manager "
                           f"{ref.secret_name}, key {ref.json_key}): docker build --secret id={name},env={name}")
                for run_start, run_prefix_end in users:
                    edits.append((run_prefix_end, run_prefix_end, f"--mount=type=secret,id={name},env={name} "))
            if not hit or len(pairs) == 1:
                edits.append((line_start, line_end, comment))
            else:
                kept = " ".join(p.group(0) for p in pairs if p is not hit[0])
                edits.append((line_start, line_end, f"{comment}\n{indent}{instruction} {kept}"))
        if any(e[0] == e[1] and e[2].startswith("--mount=type=secret") for e in edits) \
                and not text.startswith("# syntax="):
            edits.append((0, 0, f"# syntax={SYNTAX}\n"))
        return RewriteResult(apply_edits(text, edits), notes=(NOTE,))


SYNTAX = "docker/dockerfile:1.10"  # RUN --mount=type=secret,env= needs Dockerfile syntax 1.10
_RUN = re.compile(r"(?im)^[ \t]*RUN[ \t]+")


def _runs_using(text: str, after: int, name: str) -> list[tuple[int, int]]:
    """(start, end of `RUN `) of every RUN after ``after`` (until the next FROM) that reads $name."""
    uses = re.compile(rf"\$\{{?{re.escape(name)}\b")
    out = []
    stage_end = re.search(r"(?im)^[ \t]*FROM\s", text[after:])
    limit = after + stage_end.start() if stage_end else len(text)
    for match in _RUN.finditer(text, after, limit):
        end = match.end()
        body_end = end
        while True:  # the instruction continues over backslash-newlines
            newline = text.find("\n", body_end)
            if newline < 0:
                body_end = len(text)
                break
            body_end = newline + 1
            if not text[:newline].rstrip().endswith("\\"):
                break
        if uses.search(text, end, body_end):
            out.append((match.start(), end))
    return out
