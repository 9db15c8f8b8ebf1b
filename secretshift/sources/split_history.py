"""Long histories on every core: the commits are split into consecutive slices, each slice is read
by its own ``git log -p`` in a worker process that also scans it, and the parent merges the
slices back in history order.

Why diffs and not blobs (measured on SQLAlchemy's repository, 26,890 commits, 1,585 refs, see
bench/RESULTS.md): its 86,856 unique blobs hold 4.5 GB of text, its ``git log -p -U0 --all``
only 232 MB. Reading each blob once is cheap for git (``cat-file --batch-all-objects`` costs about
what ``git log -p`` does) but hands the engine 20 times more bytes than the lines commits add.
The single-stream scan already waits on ``git log``; what it cannot do is use a second core for
it. Splitting the commit list gives every core its own ``git log`` and its own engine.

Same answers as one stream, by construction: each slice is read by the one-stream source
(:class:`~secretshift.sources.added_lines.AddedLinesSource`), with the same de-duplication
inside it; across slices the parent keeps, for each (path, added text), only the findings of the newest slice that added it, which is what one
newest-first stream would have kept. Per-commit facts (merges, renames, binary-flagged changes,
the shallow boundary) do not depend on the other commits, so slicing does not change them.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from secretshift.errors import FatalError
from secretshift.models import Finding, ScanResult, Skipped
from secretshift.sources.git import GitSelection

if TYPE_CHECKING:
    from secretshift.config import Config
    from secretshift.scanner.engine import Engine

# Below this many commits one stream takes seconds at most: not worth the fixed cost of a rev-list,
# a process pool and one `git log` start-up per slice. Pull-request ranges stay one stream.
MIN_SPLIT_COMMITS = 2000
# Slices per worker: more slices even out commits of very different sizes (a mass reformatting
# next to one-line fixes), fewer keep each `git log`'s delta-base cache warm for longer.
_SLICES_PER_WORKER = 4
_MIN_SLICE = 500
# A slice names its commits on `git log`'s command line (41 bytes each): this keeps it far below
# Linux's 2 MB argument limit however long the history (more, smaller slices instead).
_MAX_SLICE = 16_000
# Distinct (path, added text) keys the parent remembers across slices; past it, it starts afresh
# (memory stays flat; at worst a repeat in two distant slices is reported twice).
_KEYS_LIMIT = 1 << 20
_KEY_SIZE = 16


@dataclass
class SliceResult:
    """What scanning one slice of commits gave, sent back from a worker. Compact, because most
    scanned texts find nothing: the i-th scanned (path, added text) has key ``keys[16*i:16*i+16]``
    and size ``sizes[i]``; ``findings`` pairs an index with what that text found (already placed on
    the file's lines in its commit)."""

    keys: bytearray = field(default_factory=bytearray)
    sizes: list[int] = field(default_factory=list)
    findings: list[tuple[int, Finding]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    commits: int = 0
    duplicates: int = 0  # inside the slice
    binary: int = 0
    shallow_seen: list[str] = field(default_factory=list)


@dataclass
class SplitScan:
    """The merged result, with the same counters a one-stream scan keeps."""

    result: ScanResult = field(default_factory=ScanResult)
    commits: int = 0
    duplicates: int = 0
    binary: int = 0
    shallow_seen: list[str] = field(default_factory=list)
    slices: int = 0
    workers: int = 0


def list_commits(selection: GitSelection) -> list[str]:
    """The selection's commits, in the order ``git log`` would show them (newest first)."""
    if selection.empty:
        return []
    from secretshift.sources.git import _git_command

    command = _git_command(selection, "rev-list")
    try:
        proc = subprocess.run(command, capture_output=True, check=False)
    except OSError as exc:
        raise FatalError(f"cannot run git: {exc.strerror}") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FatalError(f"git rev-list failed: {lines[-1] if lines else f'exit code {proc.returncode}'}")
    return proc.stdout.decode("ascii").split()


def slice_selections(selection: GitSelection, commits: Sequence[str], slices: int,
                     min_slice: int = _MIN_SLICE) -> list[GitSelection]:
    """About ``slices`` consecutive runs of ``commits`` (each at least ``min_slice`` and at most
    ``_MAX_SLICE`` long), each a selection that names exactly its commits (``--no-walk=unsorted``: no ancestry walk, shown in
    the order given)."""
    count = max(1, min(slices, len(commits) // max(1, min_slice)), -(-len(commits) // _MAX_SLICE))
    size = max(1, -(-len(commits) // count))
    return [
        replace(selection, revisions=("--no-walk=unsorted", *commits[start : start + size]), since=None,
                label=f"{selection.label} [{start + 1}-{min(start + size, len(commits))}]")
        for start in range(0, len(commits), size)
    ]


SliceScanner = Callable[[GitSelection], SliceResult]


def scan_split(
    slices: Sequence[GitSelection],
    scan_slice: SliceScanner,
    workers: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> SplitScan:
    """Scan ``slices`` with ``scan_slice`` over ``workers`` processes, merged in slice order.

    ``scan_slice`` runs in the workers; with ``fork`` they inherit it with everything it closes
    over (the built engine), so nothing is rebuilt or pickled per slice."""
    import gc
    import multiprocessing  # here: importing it costs the commit hook tens of milliseconds

    merged = SplitScan(slices=len(slices), workers=workers)
    keys: set[bytes] = set()
    listed: set[tuple[str, str]] = set()
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        for part in map(scan_slice, slices):
            _merge(merged, part, keys, listed, on_progress)
        return merged
    _worker["scan"] = scan_slice
    # Objects the workers inherit stay out of their collector's sight: a collection would write
    # to every inherited object and copy the parent's heap page by page.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_run_slice, slices):
                _merge(merged, part, keys, listed, on_progress)
    finally:
        gc.unfreeze()
        _worker.clear()
    return merged


_worker: dict[str, Any] = {}


def _run_slice(selection: GitSelection) -> SliceResult:
    scan: SliceScanner = _worker["scan"]
    return scan(selection)


def _merge(merged: SplitScan, part: SliceResult, keys: set[bytes], listed: set[tuple[str, str]],
           on_progress: Callable[[int, int], None] | None) -> None:
    merged.commits += part.commits
    merged.duplicates += part.duplicates
    merged.binary += part.binary
    merged.shallow_seen.extend(part.shallow_seen)
    new_items: set[int] = set()
    keys_view = bytes(part.keys)
    for index, size in enumerate(part.sizes):
        key = keys_view[_KEY_SIZE * index : _KEY_SIZE * (index + 1)]
        if key in keys:
            merged.duplicates += 1  # a newer slice scanned the same path and text
            continue
        if len(keys) >= _KEYS_LIMIT:
            keys.clear()
        keys.add(key)
        new_items.add(index)
        merged.result.files_scanned += 1
        merged.result.bytes_scanned += size
    merged.result.findings.extend(finding for index, finding in part.findings if index in new_items)
    here: set[tuple[str, str]] = set()
    for note in part.skipped:
        # A path listed once per scan (a submodule, a binary file) is listed once across slices.
        identity = (note.path, _without_commit(note.reason))
        if identity in listed and not note.reason.startswith("added text in commit"):
            continue
        here.add(identity)
        merged.result.skipped.append(note)
    listed |= here
    if on_progress is not None:
        on_progress(merged.commits, len(merged.result.findings))


def _without_commit(reason: str) -> str:
    """A skip reason without the commit it names, so one path's repeats across slices match."""
    words = reason.split()
    return " ".join(w for w in words if not (len(w.strip("()")) >= 7 and _is_hex(w.strip("()"))))


def _is_hex(word: str) -> bool:
    return all(c in "0123456789abcdef" for c in word)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def scan_history(selection: GitSelection, config: Config, excluded: Callable[[str], bool] = lambda path: False,
                 workers: int = 0, show_progress: bool = False,
                 min_commits: int = MIN_SPLIT_COMMITS) -> SplitHistory | None:
    """The split scan of ``selection``, or None when one stream is as fast (fewer than
    ``min_commits`` commits, or one CPU): the caller then scans it as one stream. ``excluded``:
    paths not to scan (the config's excludes, as the run loop's path filter applies them)."""
    workers = workers if workers > 0 else default_workers()
    if workers < 2:
        return None
    commits = list_commits(selection)
    if len(commits) < max(2, min_commits):
        return None
    progress = None
    if show_progress:
        from secretshift.progress import Progress

        progress = Progress(selection.label, len(commits))
    try:
        # The slice floor follows the threshold, so a forced split of a short history still slices.
        min_slice = max(1, min(_MIN_SLICE, min_commits // (workers * _SLICES_PER_WORKER)))
        merged = scan_split(slice_selections(selection, commits, workers * _SLICES_PER_WORKER, min_slice),
                            slice_scanner(config, excluded), workers,
                            progress.update if progress is not None else None)
    finally:
        if progress is not None:
            progress.close()
    return SplitHistory(selection, merged)


@dataclass
class SplitHistory:
    """A finished split scan, with the counters and notes the one-stream source keeps."""

    selection: GitSelection
    merged: SplitScan

    @property
    def result(self) -> ScanResult:
        return self.merged.result

    @property
    def commits(self) -> int:
        return self.merged.commits

    @property
    def duplicates(self) -> int:
        return self.merged.duplicates

    @property
    def binary(self) -> int:
        return self.merged.binary

    def notes(self) -> list[str]:
        from secretshift.sources.added_lines import AddedLinesSource

        # The one-stream source words them; it only needs the selection and the boundary seen.
        return AddedLinesSource(self.selection, 0, shallow_seen=self.merged.shallow_seen).notes()


def slice_scanner(config: Config, excluded: Callable[[str], bool] = lambda path: False) -> SliceScanner:
    """A slice scanner holding an engine built once (the workers inherit it)."""
    from secretshift.scanner.build import build_engine

    return partial(_scan_slice, build_engine(config), config.max_file_size, excluded)


def _scan_slice(engine: Engine, max_size: int, excluded: Callable[[str], bool],
                selection: GitSelection) -> SliceResult:
    """One slice, read by the one-stream source; each item's findings kept with its key."""
    import hashlib

    from secretshift.sources.added_lines import AddedLinesSource

    source = AddedLinesSource(selection, max_size, excluded)
    part = SliceResult()
    for item in source.items():
        if isinstance(item, Skipped):
            part.skipped.append(item)
            continue
        blob = item.blob
        # The key the one-stream source de-duplicates on inside a slice, used across slices here.
        index = len(part.sizes)
        part.keys += hashlib.blake2b(blob.path.encode("utf-8", "surrogateescape") + b"\0" + blob.data,
                                     digest_size=_KEY_SIZE).digest()
        part.sizes.append(len(blob.data))
        for finding in engine.scan(blob):
            placed = finding if item.place is None else item.place(finding)
            if placed is not None:
                part.findings.append((index, placed))
    part.commits, part.duplicates, part.binary = source.commits, source.duplicates, source.binary
    part.shallow_seen = list(source.shallow_seen)
    return part


# -- which values ever reached history (the migration's "rotate it now" check) -----------------
_READ = 4 << 20  # bytes of `git log` output searched at once


def oldest_additions(root: str, needles: Mapping[str, Sequence[bytes]], workers: int = 0,
                     min_slice: int = _MIN_SLICE) -> dict[str, str]:
    """For each label, the full sha of the oldest commit (in ``git log --all`` order) whose patch
    adds a line holding one of its needles; labels never added are absent. Whole history, every
    core: the slices are searched in parallel, the needles handed to the workers by ``fork``
    (never on a command line, where other local users could read them)."""
    from secretshift.sources.git import history_selection

    wanted = {label: tuple(n for n in options if n) for label, options in needles.items()}
    wanted = {label: options for label, options in wanted.items() if options}
    selection = history_selection(root, None, None)
    commits = list_commits(selection)
    if not wanted or not commits:
        return {}
    workers = workers if workers > 0 else default_workers()
    slices = slice_selections(selection, commits, workers * _SLICES_PER_WORKER, min_slice)
    search = partial(_oldest_in_slice, wanted)
    oldest: dict[str, str] = {}
    if workers < 2 or len(slices) == 1:
        parts = list(map(search, slices))
    else:
        import multiprocessing

        _worker["search"] = search
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_run_search, slices)
        finally:
            _worker.clear()
    for part in parts:  # newest slice first: an older slice's answer replaces a newer one's
        oldest.update(part)
    return oldest


def _run_search(selection: GitSelection) -> dict[str, str]:
    search: Callable[[GitSelection], dict[str, str]] = _worker["search"]
    return search(selection)


def _oldest_in_slice(needles: Mapping[str, Sequence[bytes]], selection: GitSelection) -> dict[str, str]:
    """Search one slice's patch text in large reads (``bytes.find`` at C speed, no per-line
    Python); a hit counts when its line is an added one (``+``), attributed to the last commit
    header before it."""
    from secretshift.sources.git import _git_command

    # --text: a file git (or a .gitattributes the history itself holds) calls binary is searched too
    command = _git_command(selection, "log", "-p", "--text", "--unified=0", "--cc", "--no-renames", "--no-color",
                           "--no-ext-diff", "--no-textconv", "--format=%x00%H")
    found: dict[str, str] = {}
    commit = ""
    carry = b""
    longest = max(len(n) for options in needles.values() for n in options)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        while True:
            block = proc.stdout.read(_READ)
            if not block:
                break
            # Whole lines only: the tail after the last newline waits for the next read.
            text = carry + block
            cut = text.rfind(b"\n") + 1
            if cut == 0:
                carry = text if len(text) < (64 << 20) else text[-longest:]
                continue
            text, carry = text[:cut], text[cut:]
            commit = _search_block(text, needles, commit, found)
        if carry:
            _search_block(carry + b"\n", needles, commit, found)
    return found


def _search_block(text: bytes, needles: Mapping[str, Sequence[bytes]], commit: str, found: dict[str, str]) -> str:
    """Record hits in ``text`` (whole lines, newest commit first); returns the commit current at
    its end. For each label only its last added-line hit matters: the oldest commit."""
    for label, options in needles.items():
        last = -1
        for needle in options:
            at = text.find(needle)
            while at != -1:
                start = text.rfind(b"\n", 0, at) + 1
                if start > last and text.startswith(b"+", start) and not text.startswith(b"+++ ", start):
                    last = start
                end = text.find(b"\n", at)
                at = text.find(needle, end) if end != -1 else -1
        if last != -1:
            found[label] = _commit_at(text, last, commit)
    return _commit_at(text, len(text), commit)


def _commit_at(text: bytes, position: int, before: str) -> str:
    """The sha of the last commit header (``\\0SHA``) at or before ``position``; ``before`` when the
    block has none there."""
    header = text.rfind(b"\n\x00", 0, position)
    if header != -1:
        begin = header + 2
    elif text.startswith(b"\x00") and position > 0:
        begin = 1
    else:
        return before
    return text[begin : text.find(b"\n", begin)].decode("ascii")
