"""The lines each commit adds (``scan --diff``, ``scan --history``, ``ci``): each file's added text
in each commit is one blob, and its findings are moved back onto the file's real line numbers in
that commit."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from secretshift.models import Blob, Finding, Skipped
from secretshift.sources import ScanItem
from secretshift.sources.binary_blobs import BlobReader, on_added_lines, read_flagged
from secretshift.sources.git import GitSelection, count_commits, stream_log
from secretshift.sources.gitlog import AddedText, Commit, FileNote
from secretshift.textutil import looks_binary

# The de-duplication memory is bounded: past this many distinct (path, added text) pairs it starts
# afresh, so memory stays flat on any history (at worst a repeat is scanned twice).
_SEEN_LIMIT = 1 << 18


@dataclass
class AddedLinesSource:
    """What the commits of ``selection`` add. After the run, the counters say what was seen."""

    selection: GitSelection
    max_size: int
    excluded: Callable[[str], bool] = lambda path: False
    show_progress: bool = False
    findings_so_far: Callable[[], int] = lambda: 0  # for the progress line
    commits: int = 0
    duplicates: int = 0  # added texts not rescanned because an identical one was
    binary: int = 0
    shallow_seen: list[str] = field(default_factory=list)  # boundary commits the scan reached

    def items(self) -> Iterator[ScanItem | Skipped]:
        selection = self.selection
        progress = None
        if self.show_progress and not selection.empty:
            from secretshift.progress import Progress

            progress = Progress(selection.label, count_commits(selection))
        seen: set[bytes] = set()
        noted_submodules: set[str] = set()
        flagged = _Flagged(BlobReader(selection.root), self.max_size)
        try:
            for event in stream_log(selection, self.max_size):
                if isinstance(event, Commit):
                    self.commits += 1
                    if event.sha in selection.shallow:
                        self.shallow_seen.append(event.sha)
                    if progress is not None:
                        progress.update(self.commits, self.findings_so_far())
                elif isinstance(event, FileNote) and event.reason == "binary":
                    if not self.excluded(event.path):
                        item = flagged.read(event)
                        if isinstance(item, Skipped):
                            self.binary += 1
                        if item is not None:
                            yield item
                elif isinstance(event, FileNote):
                    note = self._note(event, noted_submodules)
                    if note is not None:
                        yield note
                elif not self.excluded(event.path):
                    key = hashlib.blake2b(event.path.encode("utf-8", "surrogateescape") + b"\0" + event.data,
                                          digest_size=16).digest()
                    if key in seen:
                        self.duplicates += 1
                        continue
                    if len(seen) >= _SEEN_LIMIT:
                        seen.clear()
                    seen.add(key)
                    if looks_binary(event.data):
                        self.binary += 1
                        continue
                    blob = Blob(event.path, event.data, event.commit.sha, event.commit.author_date)
                    yield ScanItem(blob, _on_file_lines(event))
        finally:
            flagged.reader.close()
            if progress is not None:
                progress.close()

    def _note(self, note: FileNote, noted_submodules: set[str]) -> Skipped | None:
        if note.reason == "binary":
            self.binary += 1
            return None
        if note.reason == "submodule":
            if note.path in noted_submodules:
                return None
            noted_submodules.add(note.path)
            return Skipped(note.path, "submodule (gitlink): its commits live in another repository; scan that one")
        return Skipped(note.path, f"added text in commit {note.commit.sha[:12]} is larger than the max file size")

    def notes(self) -> list[str]:
        """What the user must know about what could not be seen."""
        out = []
        if self.selection.note:
            out.append(self.selection.note)
        if self.shallow_seen:
            shown = ", ".join(sha[:12] for sha in sorted(self.shallow_seen)[:5])
            more = f" and {len(self.shallow_seen) - 5} more" if len(self.shallow_seen) > 5 else ""
            out.append(
                f"shallow clone: history before commit(s) {shown}{more} could not be seen; their "
                "whole content was scanned as if added by them (fetch the full history, e.g. "
                "`git fetch --unshallow` or actions/checkout with fetch-depth: 0)"
            )
        return out


class _Flagged:
    """Changes git showed as "Binary files differ" (UTF-16 text, a `.gitattributes` `-diff`): read
    from the blob and sniffed (see :mod:`secretshift.sources.binary_blobs`); a path that is still
    skipped is listed once."""

    def __init__(self, reader: BlobReader, max_size: int) -> None:
        self.reader = reader
        self.max_size = max_size
        self.listed: set[str] = set()

    def read(self, note: FileNote) -> ScanItem | Skipped | None:
        commit = note.commit
        previous = [f"{parent}:{note.path}" for parent in commit.parents]
        read = read_flagged(self.reader, note.path, f"{commit.sha}:{note.path}", previous, self.max_size,
                            f"(first in commit {commit.sha[:12]})")
        if isinstance(read, Skipped):
            if note.path in self.listed:
                return None
            self.listed.add(note.path)
            return read
        if not read.added:
            return None
        return ScanItem(Blob(note.path, read.data, commit.sha, commit.author_date), on_added_lines(read.added))


def _on_file_lines(added: AddedText) -> Callable[[Finding], Finding]:
    def place(finding: Finding) -> Finding:
        return finding._replace(line=added.file_line(finding.line), end_line=added.file_line(finding.end_line))

    return place
