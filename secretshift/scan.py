"""Putting it together: config -> engine; sources -> blobs -> findings, on one or more cores."""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from secretshift.config import Config
from secretshift.engine import Engine
from secretshift.models import Allowlist, Blob, Finding, Rule, ScanResult, Skipped
from secretshift.regex import compile_text
from secretshift.sources.files import FileEntry, list_files, read_blob

# Below this much work a second process costs more than it saves.
_PARALLEL_MIN_FILES = 400
_BATCH = 64


def active_rules(config: Config) -> list[Rule]:
    from secretshift.rules import builtin_rules, unique

    rules = unique([*builtin_rules(), *config.extra_rules])
    return [r for r in rules if _enabled(r.id, config)]


def _enabled(rule_id: str, config: Config) -> bool:
    if rule_id in config.disabled:
        return False
    return config.enabled_only is None or rule_id in config.enabled_only


def build_engine(config: Config) -> Engine:
    from secretshift.plugins import detector_factories

    detectors = []
    for factory in detector_factories().values():
        detector = factory()
        if any(_enabled(rule.id, config) for rule in detector.rules):
            detectors.append(detector)
    return Engine(active_rules(config), detectors, Allowlist(config.allowlist.stopwords, config.allowlist.regexes))


def all_rule_descriptions(config: Config) -> list[Rule]:
    """Every rule a scan with ``config`` may report: pack rules and detector rules."""
    from secretshift.plugins import detector_factories

    rules = active_rules(config)
    for factory in detector_factories().values():
        rules.extend(r for r in factory().rules if _enabled(r.id, config))
    return rules


class PathFilter:
    def __init__(self, config: Config) -> None:
        self._patterns = [compile_text(p) for p in (*config.exclude, *config.allowlist.paths)]

    def excluded(self, display: str) -> bool:
        return any(p.search(display) for p in self._patterns)


def scan_blobs(engine: Engine, blobs: Iterable[Blob], config: Config) -> ScanResult:
    """Scan blobs from any source (git history, stdin...), in this process."""
    result = ScanResult()
    path_filter = PathFilter(config)
    for blob in blobs:
        if path_filter.excluded(blob.path):
            continue
        result.files_scanned += 1
        result.bytes_scanned += len(blob.data)
        result.findings.extend(engine.scan(blob))
    return result


def scan_paths(
    targets: Sequence[str], config: Config, use_git: bool = True, jobs: int = 0
) -> ScanResult:
    path_filter = PathFilter(config)
    entries = [
        entry
        for target in targets
        for entry in list_files(target, use_git)
        if not path_filter.excluded(entry.display)
    ]
    if jobs <= 0:
        jobs = min(os.cpu_count() or 1, 8) if len(entries) >= _PARALLEL_MIN_FILES else 1
    result = ScanResult()
    if jobs == 1 or len(entries) < 2 * _BATCH:
        _scan_entries(build_engine(config), entries, config.max_file_size, result)
    else:
        # Imported here: multiprocessing costs the commit hook tens of milliseconds to import.
        from concurrent.futures import ProcessPoolExecutor

        batches = [entries[i : i + _BATCH] for i in range(0, len(entries), _BATCH)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config,)) as pool:
            for part in pool.map(_scan_batch, batches):
                result.findings.extend(part.findings)
                result.skipped.extend(part.skipped)
                result.files_scanned += part.files_scanned
                result.bytes_scanned += part.bytes_scanned
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    result.skipped.sort(key=lambda s: s.path)
    return result


def _scan_entries(engine: Engine, entries: Iterable[FileEntry], max_size: int, result: ScanResult) -> None:
    for entry in entries:
        blob = read_blob(entry, max_size)
        if blob is None:
            continue
        if isinstance(blob, Skipped):
            result.skipped.append(blob)
            continue
        result.files_scanned += 1
        result.bytes_scanned += len(blob.data)
        result.findings.extend(engine.scan(blob))


_worker: dict[str, Any] = {}


def _init_worker(config: Config) -> None:
    _worker["engine"] = build_engine(config)
    _worker["max_size"] = config.max_file_size


def _scan_batch(entries: list[FileEntry]) -> ScanResult:
    result = ScanResult()
    _scan_entries(_worker["engine"], entries, _worker["max_size"], result)
    return result


