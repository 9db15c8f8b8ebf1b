"""ASM secret names: rendered from a template, made valid, and made unique within a plan.

ASM's rules: 1-512 characters from ``A-Za-z0-9/_+=.@-``; a name ending in a hyphen and six
characters is ambiguous with the random suffix ASM appends to ARNs, so it is avoided.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from secretshift.errors import FatalError

MAX_NAME = 512
_INVALID = re.compile(r"[^A-Za-z0-9/_+=.@-]+")
_ARN_LIKE_SUFFIX = re.compile(r"-([A-Za-z0-9]{6})$")


def slug(text: str) -> str:
    """A name part from free text: invalid runs become one hyphen; no leading dots or slashes
    (`.env` -> `env`), no empty path segments."""
    cleaned = _INVALID.sub("-", text.strip())
    parts = [p.strip(".-") for p in cleaned.split("/")]
    return "/".join(p for p in parts if p) or "secret"


def validation_error(name: str) -> str | None:
    if not name:
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    bad = _INVALID.search(name)
    if bad:
        return f"contains {bad.group(0)!r}; ASM allows only letters, digits and /_+=.@-"
    if _ARN_LIKE_SUFFIX.search(name):
        return "ends in a hyphen and six characters, which ASM confuses with its ARN suffix"
    return None


def render(template: str, app: str, env: str, group: str, repo: str = "") -> str:
    name = template.format(app=slug(app), env=slug(env), group=slug(group), repo=slug(repo or app))
    name = _ARN_LIKE_SUFFIX.sub(r"_\1", name)
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}_{digest}"
    problem = validation_error(name)
    if problem:
        raise FatalError(f"secret name {name!r} from template {template!r} {problem}")
    return name


def deconflict(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... (underscore: a hyphen + digit could end up looking
    like ASM's suffix once names grow)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f"_{n}"
        candidate = name[: MAX_NAME - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def stable_names(wanted: Mapping[str, tuple[str, str, str]]) -> dict[str, str]:
    """group id -> (name, qualifier, where it lives) in; group id -> unique name out, independent of order and
    of which groups exist besides the colliding ones: every group whose name collides gets its
    own qualifier (e.g. its file's stem), then a digest of where it lives if that still collides — never
    a `_2` that depends on which group came first."""
    by_name: dict[str, list[str]] = {}
    for group_id, (name, _, _) in wanted.items():
        by_name.setdefault(name, []).append(group_id)
    out: dict[str, str] = {}
    for name, ids in by_name.items():
        if len(ids) == 1:
            out[ids[0]] = name
            continue
        qualified = {g: f"{name}.{slug(wanted[g][1])}" for g in ids}
        counts: dict[str, int] = {}
        for candidate in qualified.values():
            counts[candidate] = counts.get(candidate, 0) + 1
        for group_id, candidate in qualified.items():
            if counts[candidate] > 1:
                candidate = f"{candidate}.{hashlib.sha256(wanted[group_id][2].encode()).hexdigest()[:6]}"
            out[group_id] = candidate[:MAX_NAME]
    return out
