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
# Files per batch sent to a worker: big enough that the parent's per-batch work (pickling,
# waking up) stays small (measured: 256 costs the parent a third less CPU than 64 on 10,000
# files), small enough for about eight batches per worker, so the last one to finish is short.
_MIN_BATCH, _MAX_BATCH = 16, 256
_MAX_AUTO_JOBS = 8
_SMALL_SCAN_FILES = 16


def active_rules(config: Config) -> list[Rule]:
    from secretshift.rules import builtin_rules, unique

    rules = unique([*builtin_rules(examples=False), *config.extra_rules])
    return [r for r in rules if _enabled(r.id, config)]


def _enabled(rule_id: str, config: Config) -> bool:
    if rule_id in config.disabled:
        return False
    return config.enabled_only is None or rule_id in config.enabled_only


def build_engine(config: Config, small: bool = False) -> Engine:
    """``small``: a handful of files, where the RE2 prefilter finishes before hyperscan
    would even be imported."""
    from secretshift.plugins import detector_factories

    detectors = []
    for factory in detector_factories().values():
        detector = factory()
        if any(_enabled(rule.id, config) for rule in detector.rules):
            detectors.append(detector)
    allowlist = Allowlist(config.allowlist.stopwords, config.allowlist.regexes)
    return Engine(
        active_rules(config), detectors, allowlist, use_hyperscan=not small,
        min_confidence=config.min_confidence or "low",
    )


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
        jobs = min(available_cpus(), _MAX_AUTO_JOBS) if len(entries) >= _PARALLEL_MIN_FILES else 1
    jobs = min(jobs, max(1, -(-len(entries) // _MIN_BATCH)))  # no more processes than batches
    engine = build_engine(config, small=len(entries) <= _SMALL_SCAN_FILES)
    result = ScanResult()
    if jobs == 1:
        _scan_entries(engine, entries, config.max_file_size, result)
    else:
        _scan_parallel(engine, config, entries, jobs, result)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    result.skipped.sort(key=lambda s: s.path)
    return result


def available_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _scan_entries(engine: Engine, entries: Iterable[FileEntry], max_size: int, result: ScanResult) -> None:
    findings = result.findings
    scan = engine.scan
    for entry in entries:
        blob = read_blob(entry, max_size)
        if blob is None:
            continue
        if isinstance(blob, Skipped):
            result.skipped.append(blob)
            continue
        result.files_scanned += 1
        result.bytes_scanned += len(blob.data)
        findings.extend(scan(blob))


def _scan_parallel(engine: Engine, config: Config, entries: list[FileEntry], jobs: int, result: ScanResult) -> None:
    """Batches of files over a process pool. With ``fork`` the workers inherit the engine
    already built here (no rule loading or prefilter compiling per worker); elsewhere each
    worker builds its own from the config. Batches carry plain path strings and come back
    as small results, in whatever order they finish (the caller sorts)."""
    import multiprocessing  # here: importing it costs the commit hook tens of milliseconds

    size = min(_MAX_BATCH, max(_MIN_BATCH, len(entries) // (jobs * 8)))
    batches = [
        [(e.fs_path, e.display, e.error) for e in entries[i : i + size]]
        for i in range(0, len(entries), size)
    ]
    context: Any
    initializer: Any = None
    initargs: tuple[Any, ...] = ()
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        _worker["engine"], _worker["max_size"] = engine, config.max_file_size
    else:  # pragma: no cover - macOS/Windows spawn fresh interpreters
        context = multiprocessing.get_context()
        initializer, initargs = _init_worker, (config,)
    import gc

    # Objects the workers inherit stay out of their collector's sight: a collection would
    # write to every inherited object and copy the parent's whole heap page by page.
    gc.freeze()
    try:
        with context.Pool(jobs, initializer=initializer, initargs=initargs) as pool:
            for part in pool.imap_unordered(_scan_batch, batches):
                result.findings.extend(part.findings)
                result.skipped.extend(part.skipped)
                result.files_scanned += part.files_scanned
                result.bytes_scanned += part.bytes_scanned
    finally:
        gc.unfreeze()
        _worker.clear()


_worker: dict[str, Any] = {}


def _init_worker(config: Config) -> None:
    _worker["engine"] = build_engine(config)
    _worker["max_size"] = config.max_file_size


def _scan_batch(batch: list[tuple[str, str, str | None]]) -> ScanResult:
    result = ScanResult()
    entries = [FileEntry(fs_path, display, error) for fs_path, display, error in batch]
    _scan_entries(_worker["engine"], entries, _worker["max_size"], result)
    return result
