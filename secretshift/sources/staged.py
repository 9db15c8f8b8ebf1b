"""Changed content from git: the index (``--staged``) or one commit, as blobs plus the lines
that change adds.

One ``git diff --raw -p -U0`` gives both the blob ids and the hunks; one ``git cat-file --batch``
reads every blob. Whole blobs are scanned so that line numbers are those of the staged (or
committed) version and multi-line secrets keep their context; the caller keeps the findings that
touch an added line. Plain git subprocesses: this is the commit-hook path, no GitPython.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from secretshift import lazy_re
from secretshift.errors import FatalError
from secretshift.models import Blob, Finding, Skipped
from secretshift.sources import ScanItem
from secretshift.sources.binary_blobs import BINARY_REASON, BlobReader, on_added_lines, read_flagged
from secretshift.textutil import looks_binary

_DIFF_FLAGS = (
    "--raw", "-p", "-z", "-U0", "-M", "--no-abbrev", "--full-index", "--no-color",
    "--no-ext-diff", "--no-textconv", "--diff-filter=ACMRT",
)
_HUNK = lazy_re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_SCANNED_MODES = (b"100644", b"100755")


class ChangedBlob(NamedTuple):
    blob: Blob
    added: frozenset[int]  # 1-based lines of this version that the change adds


class ChangesSource(NamedTuple):
    """Changed blobs (the index, or commits being pushed): whole blobs are scanned, a finding is
    kept only when it touches a line the change adds."""

    changes: Sequence[tuple[Sequence[ChangedBlob], Sequence[Skipped]]]

    def items(self) -> Iterator[ScanItem | Skipped]:
        for changed, skipped in self.changes:
            yield from skipped
            for item in changed:
                yield ScanItem(item.blob, on_added_lines(item.added))

    def blobs(self) -> Iterator[Blob]:
        return (item.blob for changed, _ in self.changes for item in changed)


class _Change(NamedTuple):
    path: str
    mode: bytes
    sha: str
    old_sha: str = ""  # the blob it replaces (all zeros for a new file)


def staged_changes(root: Path, max_size: int) -> tuple[list[ChangedBlob], list[Skipped]]:
    """What ``git commit`` would add: the index against HEAD (every line, before the first commit)."""
    blobs, skipped, _names = staged_changes_and_paths(root, max_size)
    return blobs, skipped


def staged_changes_and_paths(root: Path, max_size: int) -> tuple[list[ChangedBlob], list[Skipped], frozenset[str]]:
    """:func:`staged_changes`, and the path of every file the commit adds or changes (whether
    or not it adds text): a file pre-commit passes that is not among them has nothing staged."""
    return _changes(root, ["diff", "--cached", *_DIFF_FLAGS], None, max_size)


def commit_changes(root: Path, commit: str, max_size: int) -> tuple[list[ChangedBlob], list[Skipped]]:
    """What ``commit`` adds to its first parent (everything, for a root commit)."""
    args = ["diff-tree", "-r", "--root", "--no-commit-id", *_DIFF_FLAGS, commit]
    blobs, skipped, _names = _changes(root, args, commit, max_size)
    return blobs, skipped


def pushed_commits(root: Path, updates: str, remote: str) -> list[str]:
    """Every commit a push sends, merges included, oldest first, from git's pre-push input."""
    commits: list[str] = []
    for line in updates.splitlines():
        fields = line.split()
        if len(fields) != 4 or not fields[1].strip("0"):
            continue  # malformed, or a branch deletion: nothing is sent
        local, remote_sha = fields[1], fields[3]
        args = ["rev-list", "--reverse", local, "--not", f"--remotes={remote}"]
        if remote_sha.strip("0") and _exists(root, remote_sha):
            args.append(remote_sha)
        for commit in git_output(root, args).decode("ascii").split():
            if commit not in commits:
                commits.append(commit)
    return commits


def _exists(root: Path, sha: str) -> bool:
    proc = subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=root, capture_output=True, check=False)
    return proc.returncode == 0


def git_output(root: Path, args: Sequence[str], input: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root, input=input, capture_output=True, check=False,
        )
    except OSError as exc:
        raise FatalError(f"cannot run git: {exc.strerror}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FatalError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout


def _changes(
    root: Path, diff_args: list[str], commit: str | None, max_size: int
) -> tuple[list[ChangedBlob], list[Skipped], frozenset[str]]:
    output = git_output(root, diff_args)
    changes, patch = _parse_raw(output)
    paths = frozenset(change.path for change in changes)
    added, flagged = _parse_patch(patch, len(changes))
    skipped: list[Skipped] = []
    wanted: list[tuple[_Change, frozenset[int]]] = []
    binary: list[_Change] = []
    for change, lines, is_binary in zip(changes, added, flagged):
        if change.mode not in _SCANNED_MODES:
            continue  # symlinks and submodules add no text
        if is_binary:
            binary.append(change)  # git's verdict is not ours: read it (see binary_blobs)
        elif lines:  # deletions-only and pure renames add no text
            wanted.append((change, lines))
    blobs = _flagged_blobs(root, binary, commit, max_size, skipped)
    if not wanted:
        return blobs, skipped, paths
    contents = _read_blobs(root, [change.sha for change, _ in wanted])
    for (change, lines), data in zip(wanted, contents):
        if len(data) > max_size:
            skipped.append(Skipped(change.path, f"larger than the max file size ({len(data)} > {max_size} bytes)"))
            continue
        if looks_binary(data):
            skipped.append(Skipped(change.path, BINARY_REASON))
            continue
        blobs.append(ChangedBlob(Blob(change.path, data, commit), lines))
    return blobs, skipped, paths


def _flagged_blobs(root: Path, changes: list[_Change], commit: str | None, max_size: int,
                   skipped: list[Skipped]) -> list[ChangedBlob]:
    blobs: list[ChangedBlob] = []
    if not changes:
        return blobs
    where = f"(commit {commit[:12]})" if commit else ""
    with BlobReader(str(root)) as reader:
        for change in changes:
            previous = [change.old_sha] if change.old_sha.strip("0") else []
            read = read_flagged(reader, change.path, change.sha, previous, max_size, where)
            if isinstance(read, Skipped):
                skipped.append(read)
            elif read.added:
                blobs.append(ChangedBlob(Blob(change.path, read.data, commit), read.added))
    return blobs


def _parse_raw(output: bytes) -> tuple[list[_Change], bytes]:
    """The ``--raw -z`` records (``:srcmode dstmode srcsha dstsha status\\0path\\0[path\\0]``)
    and the patch text after them."""
    changes = []
    pos = 0
    while output.startswith(b":", pos):
        end = output.index(b"\0", pos)
        fields = output[pos + 1 : end].split()
        pos = end + 1
        paths = 2 if fields[4][:1] in (b"R", b"C") else 1
        names = []
        for _ in range(paths):
            end = output.index(b"\0", pos)
            names.append(output[pos:end])
            pos = end + 1
        changes.append(_Change(os.fsdecode(names[-1]), fields[1], fields[3].decode("ascii"), fields[2].decode("ascii")))
    if output.startswith(b"\0", pos):
        pos += 1
    return changes, output[pos:]


def _parse_patch(patch: bytes, expected: int) -> tuple[list[frozenset[int]], list[bool]]:
    """Added line numbers per file section, in the order of the raw records, and whether git
    showed the section as binary (no lines then: the blob must be read)."""
    sections: list[tuple[bool, set[int]]] = []  # (is the deleting half of a type change, lines)
    binary: list[bool] = []
    header = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            sections.append((False, set()))
            binary.append(False)
            header = True
        elif header and line.startswith(b"Binary files ") and sections:
            binary[-1] = True
        elif header and line.startswith(b"index "):
            # A type change (symlink <-> file) shows as a deletion then an addition.
            deleting = line.split(b" ")[1].split(b"..")[-1].strip(b"0") == b""
            sections[-1] = (deleting, sections[-1][1])
        elif line.startswith(b"@@ ") and sections:
            header = False
            match = _HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                sections[-1][1].update(range(start, start + count))
    kept = [frozenset(lines) for deleting, lines in sections if not deleting]
    kept_binary = [flag for (deleting, _), flag in zip(sections, binary) if not deleting]
    if len(kept) != expected:
        raise FatalError("could not read git's diff output (unexpected format)")
    return kept, kept_binary


def _read_blobs(root: Path, shas: list[str]) -> list[bytes]:
    output = git_output(root, ["cat-file", "--batch"], input="".join(f"{s}\n" for s in shas).encode())
    contents = []
    pos = 0
    for sha in shas:
        header_end = output.index(b"\n", pos)
        header = output[pos:header_end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise FatalError(f"git cat-file: cannot read blob {sha}")
        size = int(header[2])
        start = header_end + 1
        contents.append(output[start : start + size])
        pos = start + size + 1
    return contents
