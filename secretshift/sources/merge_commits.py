"""What a merge commit itself adds: lines in none of its parents (a conflict resolution).

The pre-push hook used to list commits with ``--no-merges``: a secret typed while resolving a
conflict reached the remote unchecked. A merge's own lines are found the way git's dense combined
diff (``--cc``) finds them: for every file the merge changed against its first parent, the merge's
blob is read and its lines are compared with every parent's version of that file; the lines no
parent holds are the merge's own (see :func:`secretshift.sources.binary_blobs.added_lines`).
"""
from __future__ import annotations

import os
from pathlib import Path

from secretshift.models import Blob, Skipped
from secretshift.sources.binary_blobs import BINARY_REASON, BlobReader, TooLarge, added_lines
from secretshift.sources.staged import ChangedBlob, git_output
from secretshift.textutil import looks_binary

_TEXT_MODES = (b"100644", b"100755")


def merge_changes(root: Path, commit: str, parents: tuple[str, ...],
                  max_size: int) -> tuple[list[ChangedBlob], list[Skipped]]:
    """The lines ``commit`` (a merge of ``parents``) adds that no parent has, file by file."""
    paths = _changed_paths(root, parents[0], commit)
    blobs: list[ChangedBlob] = []
    skipped: list[Skipped] = []
    if not paths:
        return blobs, skipped
    with BlobReader(str(root)) as reader:
        for path in paths:
            data = reader.read(f"{commit}:{path}", max_size)
            if data is None:
                continue
            if isinstance(data, TooLarge):
                skipped.append(Skipped(path, f"larger than the max file size ({data.size} > {max_size} bytes) "
                                             f"(merge {commit[:12]})"))
                continue
            if looks_binary(data):
                skipped.append(Skipped(path, f"{BINARY_REASON} (merge {commit[:12]})"))
                continue
            olds = [old for old in (reader.read(f"{parent}:{path}", max_size) for parent in parents)
                    if isinstance(old, bytes)]
            added = added_lines(data, olds)
            if added:
                blobs.append(ChangedBlob(Blob(path, data, commit), added))
    return blobs, skipped


def _changed_paths(root: Path, first_parent: str, commit: str) -> list[str]:
    """Text files (regular, not symlinks or submodules) that differ from the first parent; a file
    that equals the first parent's version cannot hold a line new to every parent."""
    output = git_output(root, ["diff-tree", "-r", "-z", "--no-renames", "--raw", "--diff-filter=AMT",
                               first_parent, commit])
    paths = []
    records = output.split(b"\0")
    for meta, name in zip(records[0::2], records[1::2]):
        fields = meta.lstrip(b":").split()
        if len(fields) >= 2 and fields[1] in _TEXT_MODES:
            paths.append(os.fsdecode(name))
    return paths


def pushed_changes(root: Path, commits: list[str], max_size: int) -> list[tuple[list[ChangedBlob], list[Skipped]]]:
    """What each pushed commit adds: a plain commit against its parent, a merge its own lines."""
    from secretshift.sources.staged import commit_changes

    if not commits:
        return []
    lines = git_output(root, ["rev-list", "--no-walk=unsorted", "--parents", *commits]).decode("ascii").splitlines()
    parents = {fields[0]: tuple(fields[1:]) for fields in (line.split() for line in lines) if fields}
    out = []
    for commit in commits:
        mine = parents.get(commit, ())
        if len(mine) > 1:
            out.append(merge_changes(root, commit, mine, max_size))
        else:
            out.append(commit_changes(root, commit, max_size))
    return out
