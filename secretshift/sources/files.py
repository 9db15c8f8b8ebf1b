"""Files on disk: which to scan (``.gitignore`` respected in a git work tree) and reading them."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from secretshift.errors import FatalError
from secretshift.models import Blob, Skipped
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


@dataclass(frozen=True)
class FileEntry:
    fs_path: str  # what to open
    display: str  # what reports show: relative to the scanned directory, or as given
    error: str | None = None  # why listing could not look inside (an unreadable directory)


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
        for name in listed:
            yield FileEntry(os.path.join(target, name), name)
        return
    for name, error in _walk(path):
        yield FileEntry(os.path.join(target, name), name, error)


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


def _walk(folder: Path) -> Iterator[tuple[str, str | None]]:
    """(relative name, None) per file, and (relative name, reason) per unreadable directory:
    os.walk skips those silently, and a scan must never silently skip."""
    root = str(folder)
    errors: list[OSError] = []
    for current, dirs, files in os.walk(root, onerror=errors.append, followlinks=False):
        yield from _walk_errors(root, errors)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        rel = os.path.relpath(current, root)
        for name in sorted(files):
            yield (name if rel == "." else os.path.join(rel, name).replace(os.sep, "/")), None
    yield from _walk_errors(root, errors)


def _walk_errors(root: str, errors: list[OSError]) -> Iterator[tuple[str, str]]:
    for exc in errors:
        name = os.path.relpath(os.fsdecode(exc.filename or root), root).replace(os.sep, "/")
        yield name, f"cannot list directory: {exc.strerror}"
    errors.clear()


def read_blob(entry: FileEntry, max_size: int) -> Blob | Skipped | None:
    """The file as a blob; a :class:`Skipped` note when it cannot or must not be read;
    None for a binary file (skipped quietly, counted by the caller)."""
    if entry.error is not None:
        return Skipped(entry.display, entry.error)
    extension = entry.display.rsplit(".", 1)[-1].lower() if "." in entry.display else ""
    if extension in BINARY_EXTENSIONS:
        return None
    try:
        info = os.lstat(entry.fs_path)
    except FileNotFoundError:
        return Skipped(entry.display, "vanished before it could be read")
    except OSError as exc:
        return Skipped(entry.display, f"cannot stat: {exc.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return None  # never follow links: a link may point outside the scanned tree
    if stat.S_ISDIR(info.st_mode):  # git lists a submodule as one path; say it was not read
        return Skipped(entry.display, "a directory where a file was listed (a git submodule is scanned on its own)")
    if not stat.S_ISREG(info.st_mode):
        return Skipped(entry.display, "not a regular file")
    if info.st_size > max_size:
        return Skipped(entry.display, f"larger than the max file size ({info.st_size} > {max_size} bytes)")
    try:
        with open(entry.fs_path, "rb") as handle:
            data = handle.read(max_size + 1)
    except FileNotFoundError:
        return Skipped(entry.display, "vanished before it could be read")
    except OSError as exc:
        return Skipped(entry.display, f"cannot read: {exc.strerror}")
    if len(data) > max_size:
        return Skipped(entry.display, f"larger than the max file size ({max_size} bytes)")
    if looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return Blob(entry.display, data)
