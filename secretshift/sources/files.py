"""Files on disk: which to scan (``.gitignore`` respected in a git work tree) and reading them."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from secretshift.errors import FatalError
from secretshift.models import Blob, Skipped
from secretshift.sources import ScanItem
from secretshift.textutil import looks_binary

BINARY_EXTENSIONS = frozenset(
    """
    png jpg jpeg gif bmp ico icns tif tiff webp psd ai eps heic avif
    mp3 mp4 m4a m4v mov avi mkv webm wav flac ogg opus
    zip gz tgz bz2 xz zst 7z rar tar jar war ear whl egg apk ipa dmg iso deb rpm msi
    exe dll so dylib a o obj lib pyc pyo pyd class wasm bin
    woff woff2 ttf otf eot
    pdf doc docx xls xlsx ppt pptx odt ods
    sqlite sqlite3 db parquet avro orc npy npz pkl pickle h5 onnx pt ckpt safetensors
    """.split()
)
_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


class FileEntry(NamedTuple):
    fs_path: str  # what to open
    display: str  # what reports show: relative to the scanned directory, or as given
    error: str | None = None  # why listing could not look inside (an unreadable directory)


class FilesSource(NamedTuple):
    """Listed files, read one at a time (binary files and links are passed over quietly)."""

    entries: Sequence[FileEntry]
    max_size: int

    def items(self) -> Iterator[ScanItem | Skipped]:
        max_size = self.max_size
        for entry in self.entries:
            blob = read_blob(entry, max_size)
            if blob is None:
                continue
            yield blob if isinstance(blob, Skipped) else ScanItem(blob)


def list_files(target: str, use_git: bool) -> Iterator[FileEntry]:
    path = Path(target)
    try:
        mode = path.lstat().st_mode
    except OSError:
        raise FatalError(f"path not found: {target}") from None
    if not stat.S_ISDIR(mode):
        if stat.S_ISLNK(mode) and path.is_dir():
            raise FatalError(f"refusing to follow a symlinked directory: {target}")
        yield FileEntry(target, target)
        return
    listed = _git_files(path) if use_git else None
    if listed is not None:
        join = os.path.join
        for name in listed:
            yield FileEntry(join(target, name), name)
        return
    yield from _walk(target)


def _git_files(folder: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, relative to ``folder``; None outside git."""
    import subprocess  # not at the top: the commit hook reads named files and never needs it

    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    names = [os.fsdecode(n) for n in proc.stdout.split(b"\0") if n]
    return sorted(set(names))


def _walk(root: str) -> Iterator[FileEntry]:
    """Every file under ``root`` in name order, without following links (a link may point
    outside the scanned tree). One ``scandir`` per directory and no ``stat`` per file: the
    directory entry already says what each name is. An unreadable directory becomes an entry
    with an error, never a silent gap."""
    pending: list[tuple[str, str]] = [(root, "")]  # (directory to open, display prefix)
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=_name)
        except OSError as exc:
            yield FileEntry(folder, prefix.rstrip("/") or ".", f"cannot list directory: {exc.strerror}")
            continue
        subdirs: list[tuple[str, str]] = []
        for child in children:
            try:
                if child.is_symlink():
                    continue
                if child.is_dir(follow_symlinks=False):
                    if child.name not in _SKIP_DIRS:
                        subdirs.append((child.path, prefix + child.name + "/"))
                    continue
            except OSError:
                pass  # the type was unknown and the entry is gone: reading it will say so
            yield FileEntry(child.path, prefix + child.name)
        pending.extend(reversed(subdirs))  # popped in name order


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


# O_NONBLOCK: opening a FIFO must not wait for a writer (it is then skipped as not regular).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LINK_ERRNOS = (errno.ELOOP, errno.EMLINK)


def read_blob(entry: FileEntry, max_size: int) -> Blob | Skipped | None:
    """The file as a blob; a :class:`Skipped` note when it cannot or must not be read;
    None for a binary file or a link (skipped quietly, counted by the caller)."""
    if entry.error is not None:
        return Skipped(entry.display, entry.error)
    display = entry.display
    dot = display.rfind(".")
    if dot != -1 and display[dot + 1 :].lower() in BINARY_EXTENSIONS:
        return None
    if not _NOFOLLOW:  # pragma: no cover - platforms without O_NOFOLLOW (Windows)
        try:
            if stat.S_ISLNK(os.lstat(entry.fs_path).st_mode):
                return None
        except OSError:
            pass  # opening it below reports the reason
    # Open first, then fstat the open file: one syscall fewer than lstat + open, and no window
    # in which the path could be swapped for a link between the check and the read.
    try:
        fd = os.open(entry.fs_path, _OPEN_FLAGS | _NOFOLLOW)
    except FileNotFoundError:
        return Skipped(display, "vanished before it could be read")
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS:
            return None  # never follow links: a link may point outside the scanned tree
        return Skipped(display, f"cannot read: {exc.strerror}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):  # git lists a submodule as one path
                return Skipped(display, "a directory where a file was listed (a git submodule is scanned on its own)")
            return Skipped(display, "not a regular file")
        if info.st_size > max_size:
            return Skipped(display, f"larger than the max file size ({info.st_size} > {max_size} bytes)")
        data = _read(fd, info.st_size, max_size)
    except OSError as exc:
        return Skipped(display, f"cannot read: {exc.strerror}")
    finally:
        os.close(fd)
    if len(data) > max_size:
        return Skipped(display, f"larger than the max file size ({max_size} bytes)")
    if looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        from secretshift.plugins.credfiles import is_pkcs12  # in sys.modules once detectors are built

        # A PKCS#12 key container is binary by nature: the one binary kind a detector judges.
        return Blob(display, data) if is_pkcs12(data) else None
    return Blob(display, data)


def _read(fd: int, size: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: the stat size and one more, to see a file that grew."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data  # the common case: exactly what fstat said, so at end of file
    parts = [data]
    total = len(data)
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)
