"""The other files a rewriter of one file must read: a Helm chart's Chart.yaml and templates for
its values file. Read at plan time and again at apply time (never stored in the plan)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from secretshift.migrate.rewriters.base import RewriteSettings

MAX_RELATED = 256 << 10  # per file: templates are small; a huge one is not a template


def related_files(root: Path, path: str) -> dict[str, str]:
    name = path.rsplit("/", 1)[-1]
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    base = root / folder if folder else root
    if not (name.startswith("values") and name.endswith((".yaml", ".yml"))) or not (base / "Chart.yaml").is_file():
        return {}
    out: dict[str, str] = {}
    candidates = [base / "Chart.yaml", *sorted((base / "templates").rglob("*"))] if (base / "templates").is_dir() \
        else [base / "Chart.yaml"]
    for candidate in candidates:
        if candidate.is_symlink() or not candidate.is_file() or candidate.stat().st_size > MAX_RELATED:
            continue
        try:
            out[candidate.relative_to(root).as_posix()] = candidate.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def with_related(settings: RewriteSettings, root: Path, path: str) -> RewriteSettings:
    return replace(settings, related=related_files(root, path))
