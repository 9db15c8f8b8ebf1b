"""Which repositories a sweep covers: local repositories, folders holding many, lists of paths or
git URLs, and mirrors (bare repositories)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.errors import FatalError

# scheme://... or scp-like user@host:path (git's own URL forms); a Windows drive letter is a path.
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[^/@:\s]+@[^/:\s]+:)", re.IGNORECASE)


@dataclass(frozen=True)
class Repository:
    """One repository to sweep. ``key`` names its stored result: stable across runs."""

    name: str  # shown to people: the directory or URL's last part, made unique
    location: str  # an absolute local path, or a URL
    remote: bool  # a URL: cloned (mirror) into a worker-local cache first

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.location.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", self.name)[:60]
        return f"{safe}-{digest}"


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def is_repository(path: Path) -> bool:
    """A work tree (``.git`` folder or file) or a bare repository/mirror."""
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def discover(sources: Sequence[str], repos_file: str | None = None, depth: int = 2) -> list[Repository]:
    """Every repository named by SOURCES and the lines of ``repos_file``, each once, in order."""
    entries: list[str] = list(sources)
    if repos_file is not None:
        entries += _read_list(Path(repos_file))
    if not entries:
        raise FatalError("sweep needs at least one SOURCE (a repository, a folder of repositories, or --repos FILE)")
    found: dict[str, Repository] = {}
    for entry in entries:
        for repo in _expand(entry, depth):
            found.setdefault(repo.location, repo)
    return _unique_names(found.values())


def _read_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"cannot read --repos file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FatalError(f"--repos file {path} is not UTF-8 text") from None
    entries = []
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not is_url(entry) and not Path(entry).is_absolute():
            entry = str(path.parent / entry)  # relative to the list, not to where sweep runs
        entries.append(entry)
    return entries


def _expand(entry: str, depth: int) -> Iterable[Repository]:
    if is_url(entry):
        if entry.startswith("-"):
            raise FatalError(f"not a repository URL: {entry!r}")
        name = entry.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git") or "repository"
        yield Repository(name, entry, remote=True)
        return
    path = Path(entry).expanduser()
    if not path.exists():
        raise FatalError(f"path not found: {entry}")
    if not path.is_dir():
        raise FatalError(f"not a repository or a folder of repositories: {entry}")
    path = path.resolve()
    if is_repository(path):
        yield _local(path)
        return
    repos = list(_walk(path, depth))
    if not repos:
        raise FatalError(f"no git repositories in {entry} (looked {depth} levels deep)")
    yield from repos


def _walk(folder: Path, depth: int) -> Iterable[Repository]:
    try:
        children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError as exc:
        raise FatalError(f"cannot list {folder}: {exc.strerror}") from None
    for child in children:
        if is_repository(child):
            yield _local(child)
        elif depth > 1:
            yield from _walk(child, depth - 1)


def _local(path: Path) -> Repository:
    name = path.name.removesuffix(".git") if path.name.endswith(".git") and path.name != ".git" else path.name
    return Repository(name or "repository", str(path), remote=False)


def _unique_names(repos: Iterable[Repository]) -> list[Repository]:
    """Two repositories called ``api`` (in different folders) get ``team-a/api`` and ``team-b/api``."""
    repos = list(repos)
    counts: dict[str, int] = {}
    for repo in repos:
        counts[repo.name] = counts.get(repo.name, 0) + 1
    out = []
    for repo in repos:
        if counts[repo.name] > 1:
            parent = Path(repo.location).parent.name if not repo.remote else repo.location.rstrip("/").rsplit("/", 2)[-2:][0]
            out.append(Repository(f"{parent}/{repo.name}", repo.location, repo.remote))
        else:
            out.append(repo)
    return out
