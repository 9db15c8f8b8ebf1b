"""Where in the repository a value is still written: every file, not only the ones a plan names.

Used twice: `plan` lists the copies the scan did not flag (a README, a chart's values, a second
module), and `apply` checks after writing that no migrated value is left anywhere — as written or
base64-encoded (Kubernetes `data:`) — and exits 3 listing each site when one is.
"""
from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

MIN_LENGTH = 8  # shorter values (`orders`, a user name) match everywhere and prove nothing
MAX_FILE = 8 << 20
# Never the repository's own data, nor folders that hold installed third-party code.
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", ".terraform", "__pycache__", ".tox", ".mypy_cache"})


@dataclass(frozen=True)
class ValueSite:
    path: str  # repository-relative, forward slashes
    line: int
    column: int  # 1-based code points, like a finding's
    end_line: int
    end_column: int
    label: str  # the caller's name for the value (never the value)
    form: str  # "plain" | "base64"


def repository_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``root`` (symbolic links are not followed), sorted."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield os.path.relpath(path, root).replace(os.sep, "/"), path


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "surrogateescape")


def _patterns(values: Mapping[str, str]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(label, form, pattern): a multi-line value matches with any indentation before each of its
    lines (a PEM key in a YAML block scalar)."""
    out = []
    for label, value in values.items():
        if len(value) < MIN_LENGTH:
            continue
        lines = value.splitlines() or [value]
        plain = r"\r?\n[ \t]*".join(re.escape(line.strip() if len(lines) > 1 else line) for line in lines)
        out.append((label, "plain", re.compile(plain)))
        encoded = base64.b64encode(value.encode("utf-8", "surrogateescape")).decode("ascii")
        out.append((label, "base64", re.compile(re.escape(encoded))))
    return out


def find_values(root: Path, values: Mapping[str, str]) -> list[ValueSite]:
    """Every site of every value (label -> plaintext) in the repository's files."""
    patterns = _patterns(values)
    if not patterns:
        return []
    sites: list[ValueSite] = []
    for rel, path in repository_files(root):
        text = _read(path)
        if text is None:
            continue
        offsets: list[int] | None = None
        for label, form, pattern in patterns:
            for match in pattern.finditer(text):
                if offsets is None:
                    offsets = [0, *(m.end() for m in re.finditer("\n", text))]
                start_line, start_col = _position(offsets, match.start())
                end_line, end_col = _position(offsets, match.end())
                sites.append(ValueSite(rel, start_line, start_col, end_line, end_col, label, form))
    return sorted(sites, key=lambda s: (s.path, s.line, s.column, s.label))


def _position(offsets: list[int], offset: int) -> tuple[int, int]:
    import bisect

    line = bisect.bisect_right(offsets, offset)
    return line, offset - offsets[line - 1] + 1

