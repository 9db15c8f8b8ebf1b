"""The one way secretshift writes a file: never through a symlink, never into `.git/`.

Every write (reports, baseline, plan, rewritten files, IAM policy, runbook) goes through here,
because the directory being scanned is untrusted: a pull request can commit a symlink named
``secretshift.sarif`` pointing at ``/etc/passwd``, or a ``.app.py.secretshift-123`` symlink
waiting for a predictable temp name, and CI jobs often run as root.

The rules, for a write into the repository ``root``:

- inside ``root`` no path component (directories and the file itself) may be a symlink; the walk
  opens each directory with ``O_NOFOLLOW`` relative to the one before (no check-then-use race);
- nothing is written inside ``root/.git``;
- a path outside ``root`` is accepted only when the user named it (``PathOrigin.NAMED_BY_USER``:
  the command line or the CI runner's environment), never when it came from the repository's own
  files (``PathOrigin.FROM_REPOSITORY``: config, plan, defaults). Outside ``root`` the user's own
  directory symlinks are followed, the file itself still may not be a symlink, except one that
  leads to a device or a pipe (``-o /dev/stdout``);
- new content goes to an unpredictable temp file (``O_CREAT|O_EXCL``) in the target's directory and
  is moved into place with ``os.replace``: readers see the old file or the whole new one;
- an existing file keeps its permission bits; a new one gets ``0o666`` minus the umask.
"""
from __future__ import annotations

import enum
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from secretshift.errors import FatalError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# The race-free walk needs *at() system calls; elsewhere (Windows) the same checks run on paths.
_AT_CALLS = {os.open, os.stat, os.replace, os.mkdir, os.unlink} <= os.supports_dir_fd and bool(_DIRECTORY)


class PathOrigin(enum.Enum):
    """Who chose a path: the answer decides whether it may point outside the repository."""

    NAMED_BY_USER = "named by the user"  # command line, CI runner environment
    FROM_REPOSITORY = "from the repository"  # config file, plan, built-in default


class UnsafeWrite(FatalError):
    """A write refused because it would follow a symlink or land where it must not."""


@dataclass(frozen=True)
class _Place:
    """Where a write lands, once the path was checked."""

    directory: str  # the target's directory, absolute and normalised
    name: str  # the final component
    shown: str  # the path as the user should see it in a message
    root: str  # the repository root as found on the way ("" when the target is outside it)
    below: tuple[str, ...]  # directories from the root down to the target's directory

    @property
    def inside(self) -> bool:
        return bool(self.root)


def write_text(path: str | os.PathLike[str], text: str, *, root: str | os.PathLike[str], origin: PathOrigin,
               encoding: str = "utf-8", errors: str = "strict") -> None:
    """Replace ``path`` with ``text`` safely (see the module docstring)."""
    write_bytes(path, text.encode(encoding, errors), root=root, origin=origin)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, root: str | os.PathLike[str],
                origin: PathOrigin, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` safely (see the module docstring). ``mode``: permission bits
    to set instead of keeping the old file's."""
    prepare(path, data, root=root, origin=origin, mode=mode).commit()


def write_hook(path: Path, text: str) -> None:
    """Install a git hook (executable) into the hooks folder git named: the one write that goes
    into ``.git/`` on purpose. The folder is the root: nothing in it is followed either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, text.encode("utf-8"), root=path.parent, origin=PathOrigin.NAMED_BY_USER, mode=0o755)


def append_text(path: str | os.PathLike[str], text: str, *, root: str | os.PathLike[str],
                origin: PathOrigin, encoding: str = "utf-8") -> None:
    """Append to ``path`` (created when missing) without following a symlink: for files the CI
    runner hands over to be appended to (``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``)."""
    place = _locate(path, root, origin)
    with _directory(place) as dir_fd:
        fd = _open_final(place, dir_fd, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            _write_all(fd, text.encode(encoding))
        finally:
            os.close(fd)


@dataclass(frozen=True)
class PendingWrite:
    """New content sitting in a temp file beside its target, not yet in place: lets a caller
    prepare every file first and move them all only when every one was prepared."""

    place: _Place
    temp_name: str
    root: str
    origin: PathOrigin

    def commit(self) -> None:
        """Move the temp file over the target (the walk is repeated: nothing trusted in between)."""
        if not self.temp_name:
            return  # written directly into a device or pipe by prepare()
        again = _locate(os.path.join(self.place.directory, self.place.name), self.root, self.origin)
        with _directory(again) as dir_fd:
            _refuse_symlink_target(again, dir_fd)
            try:
                _replace(self.temp_name, again.name, again.directory, dir_fd)
            except OSError as exc:
                _unlink(self.temp_name, again.directory, dir_fd)
                raise FatalError(f"cannot write {again.shown}: {exc.strerror}") from None

    def discard(self) -> None:
        """Remove the temp file; the target stays as it was."""
        try:
            with _directory(self.place) as dir_fd:
                _unlink(self.temp_name, self.place.directory, dir_fd)
        except (FatalError, OSError):
            pass  # the directory went away: so did the temp file with it


def prepare(path: str | os.PathLike[str], data: bytes, *, root: str | os.PathLike[str],
            origin: PathOrigin, mode: int | None = None) -> PendingWrite:
    """Check ``path`` and write ``data`` to a temp file beside it; ``commit()`` puts it in place.

    A target that exists but is no regular file (``/dev/null``, a pipe) outside the repository is
    written into directly here, since replacing a device node with a file would break the system;
    ``commit()`` is then a no-op.
    """
    place = _locate(path, root, origin)
    with _directory(place) as dir_fd:
        existing = _lstat(place.name, place.directory, dir_fd)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            _write_special(place, dir_fd, existing, data)
            return PendingWrite(place, "", os.fspath(root), origin)
        if mode is None:
            mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
        temp_name, fd = _create_temp(place, dir_fd)
        try:
            _write_all(fd, data)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
        except OSError as exc:
            os.close(fd)
            _unlink(temp_name, place.directory, dir_fd)
            raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
        os.close(fd)
        if not hasattr(os, "fchmod"):
            os.chmod(os.path.join(place.directory, temp_name), mode)
    return PendingWrite(place, temp_name, os.fspath(root), origin)


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (made absolute against the working directory) lies under ``root``."""
    return _find_root(os.path.abspath(path), os.path.abspath(root)) is not None


# --- checks -----------------------------------------------------------------------------------


def _locate(path: str | os.PathLike[str], root: str | os.PathLike[str], origin: PathOrigin) -> _Place:
    shown = os.fspath(path)
    target = os.path.abspath(shown)  # lexical: '..' cannot hide behind a symlink, none is followed
    directory, name = os.path.split(target)
    if not name or name in (".", ".."):
        raise UnsafeWrite(f"refusing to write {shown!r}: not a file name")
    found = _find_root(directory, os.path.abspath(root))
    if found is None:
        if origin is not PathOrigin.NAMED_BY_USER:
            raise UnsafeWrite(
                f"refusing to write {shown!r}: outside the repository, and the path came from the "
                "repository (only a path named on the command line may point outside it)"
            )
        return _Place(directory, name, shown, "", ())
    root_dir, below = found
    first = below[0] if below else name
    if first.lower().rstrip(". ") == ".git":
        raise UnsafeWrite(f"refusing to write {shown!r}: inside the repository's .git directory")
    return _Place(directory, name, shown, root_dir, below)


def _find_root(directory: str, root: str) -> tuple[str, tuple[str, ...]] | None:
    """Split ``directory`` into the repository root and the components below it (None when it is
    not inside). The root is matched by name or by identity (device + inode), shortest prefix
    first, so a root reached through the user's symlinked parent (``/tmp`` -> ``/private/tmp``)
    is found, while a symlink inside the repository that points back at the root is not mistaken
    for it."""
    try:
        root_id: tuple[int, int] | None = _identity(os.stat(root))
    except OSError:
        root_id = None
    parts = Path(directory).parts
    for index in range(1, len(parts) + 1):
        prefix = os.path.join(*parts[:index])
        if os.path.normcase(prefix) == os.path.normcase(root) or (
            root_id is not None and _same(prefix, root_id)
        ):
            return prefix, tuple(parts[index:])
    return None


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _same(path: str, root_id: tuple[int, int]) -> bool:
    try:
        return _identity(os.stat(path)) == root_id
    except OSError:
        return False


@contextmanager
def _directory(place: _Place) -> Iterator[int | None]:
    """An fd of the target's directory, reached without following a symlink inside the repository
    (missing directories inside it are created); None where *at() calls do not exist."""
    if not _AT_CALLS:
        _check_path_walk(place)
        yield None
        return
    fd = _open_directory_fd(place)
    try:
        yield fd
    finally:
        os.close(fd)


def _open_directory_fd(place: _Place) -> int:
    if not place.inside:
        try:
            return os.open(place.directory, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        except OSError as exc:
            raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
    try:
        fd = os.open(place.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except OSError as exc:
        raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
    for part in place.below:
        try:
            next_fd = _open_child_directory(fd, part, place)
        finally:
            os.close(fd)
        fd = next_fd
    return fd


def _open_child_directory(fd: int, part: str, place: _Place) -> int:
    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
    try:
        return os.open(part, flags, dir_fd=fd)
    except FileNotFoundError:
        try:
            os.mkdir(part, 0o777, dir_fd=fd)
        except FileExistsError:
            pass  # someone made it meanwhile: the open below still refuses a symlink
        except OSError as exc:
            raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
        return _open_child_directory_once(fd, part, flags, place)
    except OSError as exc:
        return _refuse_directory(fd, part, place, exc)


def _open_child_directory_once(fd: int, part: str, flags: int, place: _Place) -> int:
    try:
        return os.open(part, flags, dir_fd=fd)
    except OSError as exc:
        return _refuse_directory(fd, part, place, exc)


def _refuse_directory(fd: int, part: str, place: _Place, exc: OSError) -> int:
    try:
        info = os.stat(part, dir_fd=fd, follow_symlinks=False)
    except OSError:
        info = None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UnsafeWrite(f"refusing to write {place.shown!r}: {part!r} on its way is a symlink")
    raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None


def _check_path_walk(place: _Place) -> None:
    """The same refusals without *at() calls (Windows): check each component, then create."""
    if not place.inside:
        return
    current = place.root
    for part in place.below:
        current = os.path.join(current, part)
        if os.path.islink(current):
            raise UnsafeWrite(f"refusing to write {place.shown!r}: {part!r} on its way is a symlink")
        os.makedirs(current, exist_ok=True)


def _lstat(name: str, directory: str, dir_fd: int | None) -> os.stat_result | None:
    try:
        if dir_fd is None:
            return os.lstat(os.path.join(directory, name))
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FatalError(f"cannot write {os.path.join(directory, name)}: {exc.strerror}") from None


def _refuse_symlink_target(place: _Place, dir_fd: int | None) -> None:
    info = _lstat(place.name, place.directory, dir_fd)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UnsafeWrite(f"refusing to write {place.shown!r}: it is a symlink (secretshift never writes through one)")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise FatalError(f"cannot write {place.shown}: it is a directory")


def _write_special(place: _Place, dir_fd: int | None, info: os.stat_result, data: bytes) -> None:
    """Write into an existing non-regular file: only a device or pipe the user named outside the
    repository (``/dev/null``, ``/dev/stdout``); a symlink only when it leads to one of those."""
    if stat.S_ISDIR(info.st_mode):
        raise FatalError(f"cannot write {place.shown}: it is a directory")
    if place.inside:
        raise UnsafeWrite(
            f"refusing to write {place.shown!r}: it is a symlink or special file inside the repository"
        )
    follow = stat.S_ISLNK(info.st_mode)
    if follow:
        try:
            target_info = os.stat(place.name, dir_fd=dir_fd) if dir_fd is not None else os.stat(
                os.path.join(place.directory, place.name))
        except OSError:
            target_info = None
        if target_info is None or stat.S_ISREG(target_info.st_mode) or stat.S_ISDIR(target_info.st_mode):
            raise UnsafeWrite(
                f"refusing to write {place.shown!r}: it is a symlink (name the file it points to instead)"
            )
    flags = os.O_WRONLY | _CLOEXEC | (0 if follow else _NOFOLLOW)
    try:
        fd = os.open(place.name, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(
            os.path.join(place.directory, place.name), flags)
    except OSError as exc:
        raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
    try:
        _write_all(fd, data)
    except OSError as exc:
        raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _open_final(place: _Place, dir_fd: int | None, flags: int) -> int:
    """Open the final component for appending; refuse a symlink, allow a device outside the repo."""
    info = _lstat(place.name, place.directory, dir_fd)
    if info is not None and not stat.S_ISREG(info.st_mode):
        if place.inside or stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode):
            raise UnsafeWrite(f"refusing to append to {place.shown!r}: not a regular file")
    full = flags | _NOFOLLOW | _CLOEXEC | _BINARY
    try:
        if dir_fd is None:
            return os.open(os.path.join(place.directory, place.name), full, 0o666)
        return os.open(place.name, full, 0o666, dir_fd=dir_fd)
    except OSError as exc:
        raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None


def _create_temp(place: _Place, dir_fd: int | None) -> tuple[str, int]:
    """An unpredictable name created exclusively beside the target (what mkstemp does, but
    relative to the directory fd we walked to, so the directory cannot be swapped under us)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    for _ in range(100):
        name = f".{place.name[:64]}.{secrets.token_hex(8)}.secretshift-tmp"
        try:
            if dir_fd is None:
                return name, os.open(os.path.join(place.directory, name), flags, 0o600)
            return name, os.open(name, flags, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            continue
        except OSError as exc:
            raise FatalError(f"cannot write {place.shown}: {exc.strerror}") from None
    raise FatalError(f"cannot write {place.shown}: no free temporary name")


def _replace(temp_name: str, name: str, directory: str, dir_fd: int | None) -> None:
    if dir_fd is None:
        os.replace(os.path.join(directory, temp_name), os.path.join(directory, name))
    else:
        os.replace(temp_name, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def _unlink(name: str, directory: str, dir_fd: int | None) -> None:
    if not name:
        return
    try:
        if dir_fd is None:
            os.unlink(os.path.join(directory, name))
        else:
            os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
