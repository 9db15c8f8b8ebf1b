"""The one run loop: a source's blobs through the engine into a :class:`ScanResult`, on one core or
(for files on disk) several."""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, TYPE_CHECKING

from secretshift.config import Config
from secretshift.models import ScanResult, Skipped
from secretshift.scanner.build import build_engine
from secretshift.scanner.engine import Engine
from secretshift.scanner.regex import compile_text
from secretshift.sources import Source
from secretshift.sources.files import FileEntry, FilesSource, list_files

if TYPE_CHECKING:
    from secretshift.sources.added_lines import AddedLinesSource
    from secretshift.sources.git import GitSelection
    from secretshift.sources.split_history import SplitHistory

# Below this much work a second process costs more than it saves.
_PARALLEL_MIN_FILES = 400
# Files per batch sent to a worker: big enough that the parent's per-batch work (pickling,
# waking up) stays small (measured: 256 costs the parent a third less CPU than 64 on 10,000
# files), small enough for about eight batches per worker, so the last one to finish is short.
_MIN_BATCH, _MAX_BATCH = 16, 256
_MAX_AUTO_JOBS = 8
_SMALL_SCAN_FILES = 16


class PathFilter:
    def __init__(self, config: Config) -> None:
        self._patterns = [compile_text(p) for p in (*config.exclude, *config.allowlist.paths)]

    def excluded(self, display: str) -> bool:
        return any(p.search(display) for p in self._patterns)


def run(engine: Engine, source: Source, path_filter: PathFilter | None = None,
        into: ScanResult | None = None) -> ScanResult:
    """Scan every item of ``source`` (in this process), placing each finding as its item says.
    ``into``: add to this result (a caller watching progress reads it while the run goes)."""
    result = ScanResult() if into is None else into
    findings = result.findings
    scan = engine.scan
    for item in source.items():
        if isinstance(item, Skipped):
            result.skipped.append(item)
            continue
        blob = item.blob
        if path_filter is not None and path_filter.excluded(blob.path):
            continue
        result.files_scanned += 1
        result.bytes_scanned += len(blob.data)
        place = item.place
        if place is None:
            findings.extend(scan(blob))
            continue
        for finding in scan(blob):
            placed = place(finding)
            if placed is not None:
                findings.append(placed)
    return result


def scan_paths(
    targets: Sequence[str], config: Config, use_git: bool = True, jobs: int = 0
) -> ScanResult:
    path_filter = PathFilter(config)
    listing = (
        entry
        for target in targets
        for entry in list_files(target, use_git)
        if not path_filter.excluded(entry.display)
    )
    # The first files decide how to scan; a large tree's listing then goes on while the workers
    # already scan it (listing 10,000 files is a tenth of the scan's wall time).
    head = list(itertools.islice(listing, _PARALLEL_MIN_FILES))
    more = len(head) == _PARALLEL_MIN_FILES
    if jobs <= 0:
        jobs = min(available_cpus(), _MAX_AUTO_JOBS) if more else 1
    if not more:
        jobs = min(jobs, max(1, -(-len(head) // _MIN_BATCH)))  # no more processes than batches
    engine = build_engine(config, small=not more and len(head) <= _SMALL_SCAN_FILES)
    entries = itertools.chain(head, listing)
    if jobs == 1:
        result = run(engine, FilesSource(tuple(entries), config.max_file_size))
    else:
        result = _scan_parallel(engine, config, entries, jobs)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    result.skipped.sort(key=lambda s: s.path)
    return result


class CommitScan(NamedTuple):
    result: ScanResult
    source: AddedLinesSource | SplitHistory  # its counters: commits, duplicates, binary; its notes()


def scan_commits(selection: GitSelection, config: Config, show_progress: bool = False, jobs: int = 0) -> CommitScan:
    """The lines each commit of ``selection`` adds (GitPython is imported only on this path): a
    long history split over ``jobs`` processes (default: every CPU), else one stream."""
    from secretshift.sources.added_lines import AddedLinesSource

    if jobs != 1:
        from secretshift.sources.split_history import scan_history

        split = scan_history(selection, config, PathFilter(config).excluded, jobs, show_progress)
        if split is not None:
            return CommitScan(split.result, split)

    result = ScanResult()
    source = AddedLinesSource(selection, config.max_file_size, PathFilter(config).excluded,
                              show_progress, lambda: len(result.findings))
    run(build_engine(config), source, into=result)
    return CommitScan(result, source)


def available_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _scan_parallel(engine: Engine, config: Config, entries: Iterator[FileEntry], jobs: int) -> ScanResult:
    """Batches of files over a process pool, fed while the listing goes on. With ``fork`` the
    workers inherit the engine already built here (no rule loading or prefilter compiling per
    worker); elsewhere each worker builds its own from the config. Batches carry plain path
    strings and come back as small results, in whatever order they finish (the caller sorts)."""
    import multiprocessing  # here: importing it costs the commit hook tens of milliseconds

    batches = _batches(entries, jobs)
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
    result = ScanResult()
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
    return result


def _batches(entries: Iterator[FileEntry], jobs: int) -> Iterator[list[tuple[str, str, str | None]]]:
    """Small batches first (every worker gets going while the listing continues), then larger
    ones (less traffic), up to _MAX_BATCH; the total is not known in advance."""
    size = _MIN_BATCH
    sent = 0
    while True:
        batch = [(e.fs_path, e.display, e.error) for e in itertools.islice(entries, size)]
        if not batch:
            return
        yield batch
        sent += 1
        if sent % jobs == 0:
            size = min(_MAX_BATCH, size * 2)


_worker: dict[str, Any] = {}


def _init_worker(config: Config) -> None:
    _worker["engine"] = build_engine(config)
    _worker["max_size"] = config.max_file_size


def _scan_batch(batch: list[tuple[str, str, str | None]]) -> ScanResult:
    entries = tuple(FileEntry(fs_path, display, error) for fs_path, display, error in batch)
    return run(_worker["engine"], FilesSource(entries, _worker["max_size"]))
