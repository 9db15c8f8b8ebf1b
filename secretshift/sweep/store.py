"""One stored result per repository, so a sweep can be stopped and started again, and a re-run
skips repositories whose refs did not move and scans only the new commits of the others.

A result is keyed by the repository, its ref tips and the rules' version: the same tips scanned
with other rules is a new scan. Results are written atomically, one file per repository, the
moment a repository is done; a killed sweep loses only the repositories in flight.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from secretshift import __version__
from secretshift.errors import FatalError

STORE_VERSION = 1


@dataclass
class RepoRecord:
    key: str
    name: str
    location: str  # without any user:password part
    rules_version: str
    since: str | None
    status: str  # "ok" | "error"
    tips: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commits: int = 0  # commits scanned, all runs together
    error: str | None = None
    scanned_at: str = ""
    last_run: str = "full"  # "full" | "incremental" | "unchanged" | "error"


def rules_version() -> str:
    """Changes whenever what a scan reports could change: the version, the rule packs, the
    detectors' code."""
    from secretshift.plugins import rule_pack_files

    digest = hashlib.sha256(__version__.encode())
    plugin_dir = rule_pack_files()[0].parent.parent if rule_pack_files() else None
    files = sorted(rule_pack_files())
    if plugin_dir is not None:
        files += sorted(plugin_dir.glob("*.py"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class ResultStore:
    def __init__(self, out_dir: Path) -> None:
        self.folder = out_dir / "repos"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FatalError(f"cannot create {self.folder}: {exc.strerror}") from None

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, key: str) -> RepoRecord | None:
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or torn: scanned again, nothing is lost but time
        if not isinstance(raw, dict) or raw.pop("store_version", None) != STORE_VERSION:
            return None
        try:
            return RepoRecord(**raw)
        except TypeError:
            return None

    def save(self, record: RepoRecord) -> None:
        from secretshift.safe_write import PathOrigin, write_text

        data = json.dumps({"store_version": STORE_VERSION, **asdict(record)}, indent=1, sort_keys=True)
        # atomic (a killed sweep leaves the old result or the new one), never through a symlink
        write_text(self._path(record.key), data, root=self.folder, origin=PathOrigin.NAMED_BY_USER,
                   errors="backslashreplace")
