"""Incremental parser for ``git log -p --unified=0 --cc`` output: the added lines of each file
in each commit, concatenated into one blob, with a map back to the file's real line numbers.

The stream is read line by line from a pipe; only one file's added lines are held at a time, so
memory does not grow with the history. Hunk bodies are consumed by the counts in their headers
(``@@ -a,b +c,d @@``) with C-level reads, never inspected line by line in Python; merge commits
(combined diffs, ``@@@ ... @@@``) are walked line by line, but they are few and their hunks short.

Merges: git's dense combined diff (``--cc``) shows only what a merge changed relative to *every*
parent; of those lines we keep the ones added relative to all parents (``++``), i.e. content
introduced by the merge itself (a conflict resolution). Lines taken from one side were already
scanned in the commit that added them on that side.
"""
from __future__ import annotations

import bisect
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

from secretshift import lazy_re


# The record separator git prints before each commit (see LOG_FORMAT): a NUL can never start a
# patch line, and hunk bodies are consumed by count, so this cannot be forged by file content.
LOG_FORMAT = "--format=%x00%H %aI %P"
_HUNK = lazy_re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_COMBINED_RESULT = lazy_re.compile(rb" \+(\d+)(?:,(\d+))? @@@")
_GITLINK_MODE = b"160000"
_CHUNK_LINES = 4096  # lines read at once from one hunk, so a huge hunk never sits whole in memory


@dataclass(frozen=True)
class Commit:
    sha: str
    author_date: str
    parents: tuple[str, ...]


@dataclass(frozen=True)
class AddedText:
    """The added lines of one file in one commit, joined; ``runs`` maps them back.

    ``runs`` holds ``(first blob line, first file line)`` of each run of consecutive added lines,
    in blob order, so a finding on blob line ``n`` sits on file line ``file_line(n)``.
    """

    commit: Commit
    path: str
    data: bytes
    runs: tuple[tuple[int, int], ...]

    def file_line(self, blob_line: int) -> int:
        index = bisect.bisect_right(self.runs, (blob_line, 1 << 62)) - 1
        first_blob, first_file = self.runs[max(index, 0)]
        return first_file + blob_line - first_blob


@dataclass(frozen=True)
class FileNote:
    """A file change that was not scanned, and why."""

    commit: Commit
    path: str
    reason: str  # "binary" | "submodule" | "too-large"


LogEvent = Commit | AddedText | FileNote


class _File:
    """What the header lines of one file's diff told us."""

    __slots__ = ("path", "gitlink", "binary", "parents")

    def __init__(self, path: str, parents: int) -> None:
        self.path = path
        self.gitlink = False
        self.binary = False
        self.parents = parents


class _Collector:
    """Added lines of one file, bounded by ``max_size``."""

    __slots__ = ("parts", "runs", "lines", "size", "max_size", "too_large", "wanted")

    def __init__(self, max_size: int, wanted: bool) -> None:
        self.parts: list[bytes] = []
        self.runs: list[tuple[int, int]] = []
        self.lines = 0
        self.size = 0
        self.max_size = max_size
        self.too_large = False
        self.wanted = wanted

    def add_block(self, block: bytes, count: int, file_line: int) -> None:
        """``block``: ``count`` patch lines, each starting with its one-character marker."""
        if not self.wanted or self.too_large:
            return
        text = block[1:].replace(b"\n+", b"\n")
        self.size += len(text)
        if self.size > self.max_size:
            self.too_large = True
            self.parts.clear()
            return
        blob_line = self.lines + 1
        last = self.runs[-1] if self.runs else None
        # A hunk read in several chunks continues its run instead of starting a new one.
        if last is None or file_line - last[1] != blob_line - last[0]:
            self.runs.append((blob_line, file_line))
        self.parts.append(text)
        self.lines += count


def parse_log(stream: IO[bytes], max_size: int) -> Iterator[LogEvent]:
    """Events from a ``git log`` stream made with :data:`LOG_FORMAT`, ``-p --unified=0 --cc``."""
    readline = stream.readline
    commit: Commit | None = None
    line = readline()
    while line:
        head = line[:1]
        if head == b"\x00":
            fields = line[1:].decode("ascii", "replace").split()
            commit = Commit(fields[0], fields[1] if len(fields) > 1 else "", tuple(fields[2:]))
            yield commit
            line = readline()
        elif head == b"d" and commit is not None and line.startswith((b"diff --git ", b"diff --cc ", b"diff --combined ")):
            line = yield from _parse_file(stream, line, commit, max_size)
        else:
            line = readline()


def _parse_file(stream: IO[bytes], first: bytes, commit: Commit, max_size: int) -> Generator[LogEvent, None, bytes]:
    """One file's diff: header lines, then hunks. Returns the first line after it."""
    readline = stream.readline
    combined = not first.startswith(b"diff --git ")
    info = _File(_header_path(first, combined), len(commit.parents) if combined else 1)
    line = readline()
    while line and not line.startswith((b"@@", b"diff ", b"\x00")):
        if line.startswith(b"+++ "):
            if not line.startswith(b"+++ /dev/null"):
                info.path = _unquote(line[4:].rstrip(b"\n").rstrip(b"\t"), strip_prefix=True)
        elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
            info.binary = True
        elif line.startswith((b"new file mode ", b"deleted file mode ", b"new mode ", b"mode ")) or line.startswith(b"index "):
            if line.rstrip().endswith(_GITLINK_MODE):
                info.gitlink = True
        line = readline()
    if info.gitlink:
        yield FileNote(commit, info.path, "submodule")
    elif info.binary:
        yield FileNote(commit, info.path, "binary")
    # A binary file name with a text patch is text (git found no NUL in it): scanned, since the name
    # is the pull request's to choose. Binary patches are read from the blob by the caller.
    collector = _Collector(max_size, wanted=not (info.gitlink or info.binary))
    while line.startswith(b"@@"):
        if combined:
            line = _combined_hunk(stream, line, info.parents, collector)
        else:
            line = _hunk(stream, line, collector)
    if collector.too_large:
        yield FileNote(commit, info.path, "too-large")
    elif collector.parts:
        yield AddedText(commit, info.path, b"".join(collector.parts), tuple(collector.runs))
    return line


def _hunk(stream: IO[bytes], header: bytes, collector: _Collector) -> bytes:
    readline = stream.readline
    match = _HUNK.match(header)
    if match is None:
        return readline()
    removed = 1 if match.group(1) is None else int(match.group(1))
    start = int(match.group(2))
    added = 1 if match.group(3) is None else int(match.group(3))
    for _ in islice(stream, removed):
        pass
    line = readline()
    if line.startswith(b"\\"):  # "\ No newline at end of file" after the removed lines
        line = readline()
    if added == 0:
        return line
    # `line` is the first added line; read the rest in bounded chunks.
    remaining = added - 1
    first_chunk = [line, *islice(stream, min(remaining, _CHUNK_LINES - 1))]
    remaining -= len(first_chunk) - 1
    collector.add_block(b"".join(first_chunk), len(first_chunk), start)
    start += len(first_chunk)
    while remaining > 0:
        chunk = list(islice(stream, min(remaining, _CHUNK_LINES)))
        if not chunk:
            break
        remaining -= len(chunk)
        collector.add_block(b"".join(chunk), len(chunk), start)
        start += len(chunk)
    line = readline()
    if line.startswith(b"\\"):
        line = readline()
    return line


def _combined_hunk(stream: IO[bytes], header: bytes, parents: int, collector: _Collector) -> bytes:
    readline = stream.readline
    match = _COMBINED_RESULT.search(header)
    file_line = int(match.group(1)) if match else 1
    all_added = b"+" * parents
    markers = b" +-"
    pending: list[bytes] = []
    pending_start = 0
    line = readline()
    while line and line[:1] in markers:
        prefix = line[:parents]
        if prefix == all_added:
            if not pending:
                pending_start = file_line
            pending.append(b"+" + line[parents:])
        elif pending:
            collector.add_block(b"".join(pending), len(pending), pending_start)
            pending = []
        if b"-" not in prefix:
            file_line += 1
        line = readline()
    if pending:
        collector.add_block(b"".join(pending), len(pending), pending_start)
    while line.startswith(b"\\"):
        line = readline()
    return line


def _header_path(line: bytes, combined: bool) -> str:
    """The path from a ``diff --git a/X b/X`` / ``diff --cc X`` line (the ``+++`` line is preferred
    when there is one; binary and mode-only changes have none)."""
    rest = line.rstrip(b"\n").split(b" ", 2)[2]
    if combined:
        return _unquote(rest, strip_prefix=False)
    if rest.startswith(b'"'):
        end = _closing_quote(rest)
        return _unquote(rest[end + 2 :], strip_prefix=True) if end > 0 else _unquote(rest, True)
    # Unquoted "a/X b/X": both halves have the same length when the path did not change.
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half : half + 1] == b" ":
        return _unquote(rest[half + 1 :], strip_prefix=True)
    index = rest.find(b" b/")
    return _unquote(rest[index + 1 :] if index != -1 else rest, strip_prefix=True)


def _closing_quote(text: bytes) -> int:
    index = 1
    while index < len(text):
        char = text[index : index + 1]
        if char == b"\\":
            index += 2
            continue
        if char == b'"':
            return index
        index += 1
    return -1


_ESCAPES = {b"n": b"\n", b"t": b"\t", b'"': b'"', b"\\": b"\\", b"a": b"\a", b"b": b"\b",
            b"f": b"\f", b"r": b"\r", b"v": b"\v"}


def _unquote(raw: bytes, strip_prefix: bool) -> str:
    """Undo git's C-style path quoting (used for control characters, quotes and backslashes)."""
    if raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2:
        out = bytearray()
        body = raw[1:-1]
        index = 0
        while index < len(body):
            char = body[index : index + 1]
            if char == b"\\" and index + 1 < len(body):
                nxt = body[index + 1 : index + 2]
                if nxt.isdigit() and index + 3 < len(body):
                    out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
                    index += 4
                    continue
                out += _ESCAPES.get(nxt, nxt)
                index += 2
                continue
            out += char
            index += 1
        raw = bytes(out)
    if strip_prefix and raw[1:2] == b"/" and raw[:1] in (b"a", b"b"):
        raw = raw[2:]
    return raw.decode("utf-8", "surrogateescape")
