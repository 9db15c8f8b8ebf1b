"""The built-in rule packs, parsed once per version of their bytes and kept as JSON.

`tomllib` is pure Python: parsing ~150 KB of packs (mostly examples) costs tens of
milliseconds on every commit-hook start. The parsed tables are plain data, so a JSON copy,
named after the SHA-256 of the packs' names and bytes, loads them in a couple of
milliseconds. Any problem with the cache (no home, read-only disk, a damaged file) falls back
to parsing: the cache only ever saves time.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

CACHE_ENV = "SECRETSHIFT_CACHE_DIR"


def cache_dir() -> Path:
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "secretshift"


def builtin_tables() -> list[tuple[str, dict[str, Any]]]:
    """`(origin, parsed table)` of every built-in pack, in pack-file order."""
    from secretshift.plugins import rule_pack_files
    from secretshift.rules import load_toml

    packs = [(f"plugins/rules/{p.name}", p.read_bytes()) for p in rule_pack_files()]
    digest = hashlib.sha256()
    for origin, data in packs:
        digest.update(b"%s\0%d\0" % (origin.encode(), len(data)))
        digest.update(data)
    path = cache_dir() / f"packs-{digest.hexdigest()[:32]}.json"
    cached = _read(path)
    if cached is not None:
        return cached
    tables = [(origin, load_toml(data.decode("utf-8"), origin)) for origin, data in packs]
    _write(path, tables)
    return tables


def _read(path: Path) -> list[tuple[str, dict[str, Any]]] | None:
    try:
        raw = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(raw, list) or not all(
        isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
        for item in raw
    ):
        return None
    return [(origin, table) for origin, table in raw]


def _write(path: Path, tables: list[tuple[str, dict[str, Any]]]) -> None:
    import tempfile  # only on a cache miss: not on every start

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a concurrent hook never reads half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".packs-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(tables, handle, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        # Other versions' copies go once unused for a week: checkouts of several branches
        # (or tools) side by side must not keep deleting each other's cache.
        week_ago = time.time() - 7 * 86400
        for stale in path.parent.glob("packs-*.json"):
            if stale != path and stale.stat().st_mtime < week_ago:
                stale.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass
