"""Changes git calls binary, read anyway: git's opinion is not ours to trust.

git shows "Binary files differ" instead of a patch for a UTF-16 ``.env`` (what PowerShell 5
writes by default), and for anything a ``.gitattributes`` marks ``-diff``, ``binary`` or with a
``diff.<driver>.binary`` driver. A pull request controls ``.gitattributes``, so a patch-based scan
that trusts it can be switched off by the very change it checks. Every such change is therefore
read from the object database (``git cat-file``, which applies no attributes) and sniffed the way
the tree scan sniffs files (:func:`secretshift.textutil.looks_binary`: BOMs, BOM-less UTF-16).
Text is scanned; the lines it adds are those not in the previous version(s) of the file, so an
old secret is not blamed again on every commit that touches the file. What is still not scanned
comes back as a :class:`~secretshift.models.Skipped` with its reason, for the report to list;
a PKCS#12 key container (recognised by its structure) is the one binary kind passed on as is.
"""
from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from typing import IO, NamedTuple

from secretshift.errors import FatalError
from secretshift.models import Finding, Skipped
from secretshift.plugins.credfiles import is_pkcs12
from secretshift.sources.files import BINARY_EXTENSIONS
from secretshift.textutil import looks_binary, normalise_encoding

BINARY_REASON = "binary content (not text in UTF-8, UTF-16 or UTF-32): not scanned"
_CHUNK = 1 << 20


class FlaggedText(NamedTuple):
    """A binary-flagged change that is text after all: the new blob and the lines it adds."""

    data: bytes
    added: frozenset[int]  # 1-based line numbers of the (re-encoded) text


class TooLarge:
    """What :meth:`BlobReader.read` returns instead of a blob larger than the limit."""

    def __init__(self, size: int) -> None:
        self.size = size


class BlobReader:
    """One long-running ``git cat-file --batch`` answering ``REV:PATH`` or sha requests one at a
    time, so a history with many flagged files costs one process, not one per file."""

    def __init__(self, root: str, git: str = "git") -> None:
        self._root = root
        self._git = git
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc.wait()
            self._proc = None

    def read(self, spec: str, max_size: int) -> bytes | TooLarge | None:
        """The object ``spec`` names (``sha`` or ``commit:path``); None when it is not a blob in this
        repository (a shallow or partial clone), :class:`TooLarge` past ``max_size``."""
        if "\n" in spec or "\r" in spec:
            return self._read_one(spec, max_size)  # the batch protocol is line-based
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except OSError as exc:
            raise FatalError(f"cannot run git cat-file: {exc.strerror}") from None
        fields = header.split()
        if len(fields) != 3 or fields[1] != b"blob":
            if len(fields) == 3:  # a tree or commit: its content still follows
                _discard(proc.stdout, int(fields[2]) + 1)
            return None
        size = int(fields[2])
        if size > max_size:
            _discard(proc.stdout, size + 1)
            return TooLarge(size)
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after the content
        return data

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    [self._git, "-C", self._root, "cat-file", "--batch"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
            except OSError as exc:
                raise FatalError(f"cannot run git: {exc.strerror}") from None
        return self._proc

    def _read_one(self, spec: str, max_size: int) -> bytes | TooLarge | None:
        proc = subprocess.run([self._git, "-C", self._root, "cat-file", "blob", spec],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout if len(proc.stdout) <= max_size else TooLarge(len(proc.stdout))


def _discard(stream: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, _CHUNK))
        if not chunk:
            return
        count -= len(chunk)


def has_binary_extension(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1].lower() in BINARY_EXTENSIONS


def read_flagged(reader: BlobReader, path: str, new: str, previous: Sequence[str],
                 max_size: int, where: str = "") -> FlaggedText | Skipped:
    """Read a change git flagged binary: ``new`` names its blob, ``previous`` the blob(s) it
    replaced (none for a new file; one per parent for a merge). ``where`` ("in commit abc")
    goes into the reason when it is skipped."""
    suffix = f" {where}" if where else ""
    if has_binary_extension(path):
        # Images and archives: reading every one in a long history costs much and finds nothing
        # the tree scan would; the name is listed so the skip is never silent.
        return Skipped(path, f"binary file type, not read{suffix}")
    data = reader.read(new, max_size)
    if data is None:
        return Skipped(path, f"flagged binary by git and not readable from this clone{suffix}")
    if isinstance(data, TooLarge):
        return Skipped(path, f"larger than the max file size ({data.size} > {max_size} bytes){suffix}")
    if looks_binary(data):
        if is_pkcs12(data):
            # A key container: binary by nature, and the credential-file detector judges it as a
            # whole (one finding at its start), so its first line stands for the change.
            return FlaggedText(data, frozenset({1}))
        return Skipped(path, f"{BINARY_REASON}{suffix}")
    olds = []
    for spec in previous:
        old = reader.read(spec, max_size)
        if isinstance(old, bytes):
            olds.append(old)
    return FlaggedText(data, added_lines(data, olds))


def added_lines(new: bytes, previous: Sequence[bytes]) -> frozenset[int]:
    """Lines of ``new`` (1-based, after re-encoding to UTF-8 as the engine does) that none of the
    ``previous`` versions holds. A line moved within the file is not counted as added: the
    question is whether its content is new, not where it sits."""
    known: Counter[bytes] = Counter()
    for old in previous:
        known |= Counter(_lines(normalise_encoding(old)))
    added = set()
    for number, line in enumerate(_lines(normalise_encoding(new)), start=1):
        if known[line] > 0:
            known[line] -= 1
        else:
            added.add(number)
    return frozenset(added)


def on_added_lines(added: frozenset[int]) -> Callable[[Finding], Finding | None]:
    """A placement keeping only findings that touch an added line (the others were there before)."""
    def keep(finding: Finding) -> Finding | None:
        touches = any(line in added for line in range(finding.line, finding.end_line + 1))
        return finding if touches else None

    return keep


def _lines(data: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in data.split(b"\n")]
