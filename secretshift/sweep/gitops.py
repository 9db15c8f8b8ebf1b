"""The git plumbing a sweep task needs: a worker-local mirror of a remote repository, the ref tips,
and disjoint commit ranges that cover a history. Every call has a time limit."""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.errors import FatalError

# Never prompt for credentials on a worker: fail instead (a prompt would hang the task).
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "SSH_ASKPASS": "true", "GIT_SSH_COMMAND": "ssh -oBatchMode=yes"}
_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/@\s]*@")


def public_location(location: str) -> str:
    """A URL without its user:password part: what may appear in reports and errors."""
    return _USERINFO.sub(r"\1***@", location)


def git(git_dir: str | None, *args: str, timeout: float, stdin: bytes | None = None) -> bytes:
    command = ["git"] + (["-C", git_dir] if git_dir else []) + list(args)
    env = {**os.environ, **_GIT_ENV}
    try:
        proc = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise FatalError(f"git {args[0]} timed out after {timeout:.0f} s") from None
    except OSError as exc:
        raise FatalError(f"cannot run git: {exc.strerror}") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = public_location(lines[-1]) if lines else f"exit code {proc.returncode}"
        raise FatalError(f"git {args[0]} failed: {detail}")
    return proc.stdout


def local_copy(location: str, remote: bool, cache_dir: str, key: str, timeout: float,
               need: Sequence[str] = ()) -> str:
    """The git directory to read: the repository itself, or a mirror clone kept in ``cache_dir``
    (cloned the first time, fetched when it lacks a commit in ``need`` or ``need`` is empty)."""
    if not remote:
        return location
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    mirror = cache / f"{key}.git"
    with open(cache / f"{key}.lock", "w") as lock:  # tasks of one repository on one machine
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (mirror / "HEAD").is_file():
            partial = cache / f"{key}.partial"
            shutil.rmtree(partial, ignore_errors=True)  # what a killed clone left behind
            git(None, "clone", "--quiet", "--mirror", "--", location, str(partial), timeout=timeout)
            os.replace(partial, mirror)
        elif not need or not all(has_commit(str(mirror), sha, timeout) for sha in need):
            git(str(mirror), "fetch", "--quiet", "--prune", "origin", timeout=timeout)
    return str(mirror)


def has_commit(git_dir: str, sha: str, timeout: float) -> bool:
    try:
        git(git_dir, "cat-file", "-e", f"{sha}^{{commit}}", timeout=timeout)
    except FatalError:
        return False
    return True


def ref_tips(git_dir: str, timeout: float) -> dict[str, str]:
    """Every ref (and HEAD) that names a commit, peeled: what ``git log --all`` starts from."""
    fmt = "%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)"
    out = git(git_dir, "for-each-ref", f"--format={fmt}", timeout=timeout).decode("utf-8", "surrogateescape")
    tips: dict[str, str] = {}
    for line in out.splitlines():
        parts = line.split(" ", 4)
        if len(parts) < 5:
            continue
        obj, kind, peeled, peeled_kind, name = parts
        if kind == "commit":
            tips[name] = obj
        elif kind == "tag" and peeled_kind == "commit":
            tips[name] = peeled
    try:
        head = git(git_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", timeout=timeout).decode().strip()
    except FatalError:
        head = ""
    if head:
        tips["HEAD"] = head
    return tips


def count(git_dir: str, include: Sequence[str], exclude: Sequence[str], since: str | None, timeout: float) -> int:
    args = ["rev-list", "--count", "--stdin"] + ([f"--since={since}"] if since else [])
    revs = "\n".join([*include, *(f"^{sha}" for sha in exclude)]) + "\n"
    return int(git(git_dir, *args, timeout=timeout, stdin=revs.encode()).strip() or 0)


@dataclass(frozen=True)
class Range:
    """Commits reachable from ``include`` and from none of ``exclude``."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]


def split(git_dir: str, include: Sequence[str], exclude: Sequence[str], parts: int, main: str,
          timeout: float) -> list[Range]:
    """Cut the commits of ``include`` minus ``exclude`` into ``parts`` disjoint ranges along the
    first-parent line of ``main``: with cut points c1 < c2 < ..., the ranges are ``c1``,
    ``c2 ^c1``, ..., ``include ^c_last``. Each commit is in exactly one range (the first whose cut
    point reaches it), and together they are the whole selection."""
    revs = "\n".join([main, *(f"^{sha}" for sha in exclude)]) + "\n"
    line = git(git_dir, "rev-list", "--first-parent", "--reverse", "--stdin", timeout=timeout,
               stdin=revs.encode()).decode().split()
    if parts < 2 or len(line) < parts:
        return [Range(tuple(include), tuple(exclude))]
    cuts = [line[(len(line) * i) // parts - 1] for i in range(1, parts)]
    ranges = []
    previous: tuple[str, ...] = ()
    for cut in cuts:
        ranges.append(Range((cut,), tuple(exclude) + previous))
        previous = (cut,)
    ranges.append(Range(tuple(include), tuple(exclude) + previous))
    return ranges
