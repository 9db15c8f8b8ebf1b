"""`.env` files: the literal leaves the file; the key stays, empty, under a comment naming where
the value now lives.

The idiom (one comment line above the key, so every `.env` reader — python-dotenv, docker
compose `env_file`, shells — sees an empty value and no inline-comment ambiguity)::

    # DB_PASSWORD: in AWS Secrets Manager, secret "billing/default/env", JSON key "DB_PASSWORD"
    DB_PASSWORD=

Whatever loads the environment must now fill the key from ASM (e.g. ESO, ECS `secrets`, or the
`aws-actions/aws-secretsmanager-get-secrets` step); the file itself no longer holds the value.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span

_ASSIGN = re.compile(r"^(?P<indent>[ \t]*)(?:export[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*[=:][ \t]*$")
_REST = re.compile(r"^[ \t]*(?:#.*)?$")
_QUOTES = "\"'`"


def comment_for(key: str, ref: Reference) -> str:
    return f'# {key}: in AWS Secrets Manager, secret "{ref.secret_name}", JSON key "{ref.json_key}"'


class DotenvRewriter:
    name = "dotenv"

    def applies_to(self, path: str, text: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name == ".env" or name.startswith(".env.") or name.endswith(".env")

    def rewrite(
        self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings
    ) -> RewriteResult:
        edits = []
        for ref in refs:
            start, end = char_span(text, ref)
            if start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] == text[start - 1]:
                start, end = start - 1, end + 1
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end
            head = _ASSIGN.match(text[line_start:start])
            if head is None or not _REST.match(text[end:line_end]):
                raise RewriteRefused(
                    f"{path}:{ref.line}: the secret is part of a larger value; move that value by hand"
                )
            edits.append((line_start, start, end, head.group("indent"), head.group("key"), ref))
        for line_start, start, end, indent, key, ref in sorted(edits, key=lambda e: e[1], reverse=True):
            text = text[:start] + text[end:]
            comment = indent + comment_for(key, ref)
            previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
            previous = text[previous_start : line_start - 1] if line_start else None
            if previous != comment:
                text = text[:line_start] + comment + "\n" + text[line_start:]
        return RewriteResult(
            text=text,
            notes=(f"{path}: values removed; whatever loads this file must now get them from ASM",),
        )
