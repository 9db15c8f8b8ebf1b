"""Sources: where the bytes to scan come from, and how a finding in them is kept or moved.

A source yields :class:`ScanItem` (a blob, plus how to place a finding on the file it came
from) and :class:`~secretshift.models.Skipped` notes (what it could not read, and why). The one
run loop (:func:`secretshift.pipeline.run`) drives any source through the engine; the engine
never learns where bytes came from.

The registry :data:`SOURCES` names every source module; a new source (a blob-based history, stdin)
is one module implementing :class:`Source` plus one line here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple, Protocol

from secretshift.models import Blob, Finding, Skipped

# A finding as the engine reported it on the blob -> the finding to report (line numbers moved
# back onto the real file), or None when it is not this scan's business (an unchanged line).
Placement = Callable[[Finding], "Finding | None"]


class ScanItem(NamedTuple):
    blob: Blob
    place: Placement | None = None  # None: findings stand as the engine reports them


class Source(Protocol):
    """Anything the run loop can scan. ``items`` is iterated once per run."""

    def items(self) -> Iterator[ScanItem | Skipped]: ...


# name -> module holding the source class (documentation and the layer test read it; the CLI picks
# a source by its flags).
SOURCES: dict[str, str] = {
    "files": "secretshift.sources.files",  # FilesSource: files and directories on disk
    "staged": "secretshift.sources.staged",  # ChangesSource: the index, or commits being pushed
    "added-lines": "secretshift.sources.added_lines",  # AddedLinesSource: --diff range / --history
    "split-history": "secretshift.sources.split_history",  # long --history/ci ranges: AddedLinesSource per commit slice, one per CPU
    "stdin": "secretshift.sources.stdin",  # StdinSource: `scan -` / --stdin, one blob with a display name
}
