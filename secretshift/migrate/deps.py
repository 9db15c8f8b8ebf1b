"""Declare the libraries the rewritten code needs, in the project's own dependency file."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class DependencyEdit:
    path: str | None  # repo-relative file to write; None when the project declares none
    text: str | None  # its new content
    added: tuple[str, ...]  # libraries added to ``path``
    missing: tuple[str, ...]  # libraries to list for the user (no file to add them to)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def plan_dependencies(root: Path, needed: Sequence[str]) -> DependencyEdit:
    if not needed:
        return DependencyEdit(None, None, (), ())
    requirements = root / "requirements.txt"
    if requirements.is_file():
        text = requirements.read_text("utf-8")
        have = {_normal(m.group(1)) for line in text.splitlines() if (m := _NAME.match(line)) and not line.lstrip().startswith("#")}
        add = tuple(n for n in needed if _normal(n) not in have)
        if add:
            text = text + ("" if text.endswith("\n") or not text else "\n") + "".join(f"{n}\n" for n in add)
        return DependencyEdit("requirements.txt" if add else None, text if add else None, add, ())
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        edit = _pyproject(pyproject.read_text("utf-8"), needed)
        if edit is not None:
            return edit
    return DependencyEdit(None, None, (), tuple(needed))


def _pyproject(text: str, needed: Sequence[str]) -> DependencyEdit | None:
    """Insert into `[project] dependencies = [...]` textually (keeping the file's formatting);
    None when that array is not found in a form we can edit safely."""
    from secretshift.errors import FatalError
    from secretshift.scanner.rules import load_toml

    try:
        current = load_toml(text, "pyproject.toml").get("project", {}).get("dependencies")
    except FatalError:
        return None
    if not isinstance(current, list):
        return None
    have = {_normal(m.group(1)) for d in current if isinstance(d, str) and (m := _NAME.match(d))}
    add = tuple(n for n in needed if _normal(n) not in have)
    if not add:
        return DependencyEdit(None, None, (), ())
    section = re.search(r"(?m)^\[project\]\s*$", text)
    if section is None:
        return None
    array = re.compile(r"(?m)^dependencies\s*=\s*\[").search(text, section.end())
    if array is None:
        return None
    close = text.find("]", array.end())
    body = text[array.end():close]
    if "\n" in body:
        indent = re.search(r"\n([ \t]+)\S", body)
        pad = indent.group(1) if indent else "    "
        stripped = body.rstrip()
        comma = "" if not stripped.strip() or stripped.endswith(",") else ","
        insertion = comma + "".join(f'\n{pad}"{n}",' for n in add) + "\n"
        new = text[: array.end()] + stripped + insertion + text[close:]
    else:
        items = body.strip().rstrip(",")
        joined = ", ".join(f'"{n}"' for n in add)
        new = text[: array.end()] + (f"{items}, {joined}" if items else joined) + text[close:]
    try:
        after = load_toml(new, "pyproject.toml")["project"]["dependencies"]
    except (FatalError, KeyError):
        return None
    if not all(n in after for n in add):
        return None
    return DependencyEdit("pyproject.toml", new, add, ())


NPM_PREFIX = "npm:"


def npm_dependencies(root: Path, sources: Sequence[str], needed: Sequence[str],
                     pending: dict[str, str] | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """package.json path -> (new text, packages added): each `npm:NAME@RANGE` requirement goes into
    the `dependencies` of the package.json nearest to the file that needs it. ``pending`` holds
    texts already planned for writing (several files may share one package.json)."""
    import json

    wanted = [n[len(NPM_PREFIX):] for n in needed if n.startswith(NPM_PREFIX)]
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    if not wanted:
        return out
    for source in sources:
        folder = (root / source).parent
        while True:
            candidate = folder / "package.json"
            if candidate.is_file() or folder == root or root not in folder.parents:
                break
            folder = folder.parent
        if not candidate.is_file():
            continue
        rel = candidate.relative_to(root).as_posix()
        text = out[rel][0] if rel in out else (pending or {}).get(rel) or candidate.read_text("utf-8")
        try:
            document = json.loads(text)
        except ValueError:
            continue
        if not isinstance(document, dict):
            continue
        deps = document.setdefault("dependencies", {})
        added = tuple(spec for spec in wanted if _npm_name(spec) not in deps)
        if not added:
            continue
        for spec in added:
            deps[_npm_name(spec)] = spec.rsplit("@", 1)[1]
        document["dependencies"] = dict(sorted(deps.items()))
        indent = re.match(r"\{\s*\n([ \t]+)", text)
        new = json.dumps(document, indent=indent.group(1) if indent else 2, ensure_ascii=False) + "\n"
        out[rel] = (new, tuple(sorted(set(out.get(rel, ("", ()))[1]) | {_npm_name(s) for s in added})))
    return out


def _npm_name(spec: str) -> str:
    return spec.rsplit("@", 1)[0] if spec.count("@") > (1 if spec.startswith("@") else 0) else spec
