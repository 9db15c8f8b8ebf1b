"""Scans whose findings are named as the baseline names them: relative to the repository root."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.baseline_file import root_relative
from secretshift.config import Config
from secretshift.models import Finding, ScanResult


@dataclass
class RootedScan:
    result: ScanResult  # findings keep the paths the scan reported
    named: list[tuple[str, Finding]]  # (root-relative filename, finding)
    files: set[str]  # root-relative file targets
    folders: list[str]  # root-relative folder targets, as `prefix/` ("" for the root)

    def covers(self, filename: str) -> bool:
        return filename in self.files or any(filename.startswith(p) for p in self.folders)


def scan_rooted(targets: Sequence[str], config: Config, root: Path, use_git: bool = True,
                jobs: int = 0) -> RootedScan:
    from secretshift.pipeline import scan_paths

    rooted = RootedScan(ScanResult(), [], set(), [])
    for target in targets:
        result = scan_paths([target], config, use_git=use_git, jobs=jobs)
        is_folder = os.path.isdir(target)
        relative = root_relative(target, root)
        if is_folder:
            rooted.folders.append("" if relative == "." else relative.rstrip("/") + "/")
        else:
            rooted.files.add(relative)
        for finding in result.findings:
            path = os.path.join(target, finding.path) if is_folder else finding.path
            rooted.named.append((root_relative(path, root), finding))
        rooted.result.findings.extend(result.findings)
        rooted.result.skipped.extend(result.skipped)
        rooted.result.files_scanned += result.files_scanned
        rooted.result.bytes_scanned += result.bytes_scanned
    return rooted

