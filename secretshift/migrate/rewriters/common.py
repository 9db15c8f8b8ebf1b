"""Small pure helpers shared by the rewriters: names derived from references, text edits."""
from __future__ import annotations

import re
from collections.abc import Iterable

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, char_span

# (start, end, replacement) in character offsets of the original text.
Edit = tuple[int, int, str]

_NOT_ENV = re.compile(r"[^A-Z0-9_]+")
_NOT_DNS = re.compile(r"[^a-z0-9-]+")


def env_name(ref: Reference) -> str:
    """The environment variable a placeholder for ``ref`` reads.

    Built from the structural path when there is one: ``spring.datasource.password`` becomes
    ``SPRING_DATASOURCE_PASSWORD``, which is also what Spring's relaxed binding looks for.
    """
    raw = ref.key_path or ref.key or ref.json_key
    raw = re.sub(r"\[\d+\]", "", raw)
    name = _NOT_ENV.sub("_", raw.upper()).strip("_") or "SECRET"
    return f"_{name}" if name[0].isdigit() else name


def env_key(json_key: str) -> str:
    name = _NOT_ENV.sub("_", json_key.upper()).strip("_") or "VALUE"
    return f"_{name}" if name[0].isdigit() else name


def k8s_name(secret_name: str) -> str:
    """A DNS-1123 name for Kubernetes objects derived from an ASM secret name."""
    name = _NOT_DNS.sub("-", secret_name.lower()).strip("-")
    return (name or "secret")[:253].rstrip("-")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    ordered = sorted(edits, key=lambda edit: edit[0])
    out: list[str] = []
    position = 0
    for start, end, replacement in ordered:
        if start < position:
            raise RewriteRefused("two references overlap; rewrite them one at a time")
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)


def quoted_span(text: str, ref: Reference) -> tuple[int, int, str]:
    """The value's span widened over a surrounding pair of quotes, and the quote character."""
    start, end = char_span(text, ref)
    if 0 < start and end < len(text) and text[start - 1] == text[end] and text[end] in "\"'`":
        return start - 1, end + 1, text[end]
    return start, end, ""


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def dirname(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def beside(path: str, name: str) -> str:
    folder = dirname(path)
    return f"{folder}/{name}" if folder else name


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]
