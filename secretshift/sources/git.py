"""Git history as a source: which commits to read (GitPython) and their added lines (a streamed
``git log -p`` pipe, parsed incrementally by :mod:`secretshift.sources.gitlog`).

GitPython is imported lazily, only here: the commit hook and the plain ``scan PATH`` never pay
for it. It finds the repository, resolves revisions, reads the shallow boundary and turns git's
failures into one-line errors; the hot loop is a raw pipe from ``git log``.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift import lazy_re
from secretshift.cienv import CiRange
from secretshift.errors import FatalError
from secretshift.sources.gitlog import LOG_FORMAT, LogEvent, parse_log

if TYPE_CHECKING:
    from git import Repo

_PIPE_BUFFER = 1 << 20
# Settings that would change the shape of the patch text are pinned, whatever the user's config.
_PINNED_CONFIG = (
    "core.quotePath=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.submodule=short",
    "log.showSignature=false",
    "diff.interHunkContext=0",
)
_LOG_OPTIONS = (
    "log", "-p", "--no-color", "--unified=0", "--inter-hunk-context=0", "--cc", "-M",
    "--no-ext-diff", "--no-textconv", "--submodule=short", "--src-prefix=a/", "--dst-prefix=b/",
    LOG_FORMAT,
)


@dataclass(frozen=True)
class GitSelection:
    """Which commits to scan: ``git log`` revision arguments, and what to tell the user."""

    root: str  # the work tree (or git dir of a bare repository)
    revisions: tuple[str, ...]  # e.g. ("--all",) or (HEAD_SHA, "^BASE_SHA")
    since: str | None
    label: str  # "history of all refs", "abc1234..def5678"
    shallow: frozenset[str]  # commits at the shallow boundary (their parents were not fetched)
    empty: bool = False  # nothing to scan (the reason is in `note`)
    note: str = ""  # what the user must know about this selection


def open_repo(path: str) -> Repo:
    try:
        import git
    except ImportError:
        from secretshift.install import install_command

        raise FatalError(f"git scans need GitPython: {install_command('git')}") from None
    try:
        return git.Repo(path, search_parent_directories=True)
    except git.NoSuchPathError:
        raise FatalError(f"path not found: {path}") from None
    except git.InvalidGitRepositoryError:
        raise FatalError(f"not a git repository: {path}") from None
    except git.GitError as exc:
        raise FatalError(f"cannot open git repository {path}: {_first_line(str(exc))}") from None


def _root(repo: Repo) -> str:
    return str(repo.working_tree_dir or repo.git_dir)


def _shallow_boundary(repo: Repo) -> frozenset[str]:
    try:
        text = (Path(repo.common_dir) / "shallow").read_text(encoding="ascii")
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _has_commits(repo: Repo) -> bool:
    return repo.head.is_valid() or any(True for _ in repo.refs)


def resolve(repo: Repo, rev: str, what: str) -> str:
    """The full sha of the commit ``rev`` names, or a one-line error."""
    if not rev or rev.startswith("-"):
        raise FatalError(f"invalid {what}: {rev!r}")
    try:
        return str(repo.commit(rev).hexsha)
    except Exception:  # GitPython raises BadName, BadObject, ValueError... for a bad name
        hint = ""
        if _shallow_boundary(repo):
            hint = " (this is a shallow clone: fetch the full history, e.g. actions/checkout with fetch-depth: 0)"
        raise FatalError(f"invalid {what}: unknown revision {rev!r}{hint}") from None


def diff_selection(path: str, spec: str) -> GitSelection:
    """``BASE..HEAD``: the commits reachable from HEAD and not from BASE (HEAD defaults to HEAD)."""
    repo = open_repo(path)
    if not _has_commits(repo):
        return _no_commits(repo, spec)
    if "..." in spec or spec.count("..") != 1:
        raise FatalError(f"invalid --diff range {spec!r}: expected BASE..HEAD")
    base, head = spec.split("..")
    base_sha = resolve(repo, base, f"--diff range {spec!r}")
    head_sha = resolve(repo, head or "HEAD", f"--diff range {spec!r}")
    return range_selection(repo, (head_sha,), (base_sha,), f"{base_sha[:12]}..{head_sha[:12]}")


def _no_commits(repo: Repo, label: str) -> GitSelection:
    return GitSelection(_root(repo), (), None, label, frozenset(), empty=True,
                        note="the repository has no commits yet: nothing to scan")


def range_selection(
    repo: Repo, include: tuple[str, ...], exclude: tuple[str, ...], label: str, note: str = ""
) -> GitSelection:
    revisions = (*include, *(f"^{rev}" for rev in exclude))
    return GitSelection(_root(repo), revisions, None, label, _shallow_boundary(repo), note=note)


def ci_selection(path: str, ci: CiRange) -> GitSelection:
    """The commits a CI run checks (see :mod:`secretshift.cienv`)."""
    repo = open_repo(path)
    if not _has_commits(repo):
        return _no_commits(repo, ci.label)
    if ci.head is None:
        return GitSelection(_root(repo), (), None, ci.label, frozenset(), empty=True, note=f"{ci.note}: nothing to scan")
    head = resolve(repo, ci.head, f"head commit ({ci.provider} {ci.event})")
    note = ci.note
    if ci.base is not None:
        try:
            base = resolve(repo, ci.base, f"base commit ({ci.provider} {ci.event})")
        except FatalError:
            if ci.event != "push":
                raise
            # A force push: the old tip is gone from the clone. Fall back to the new-branch rule.
            note = f"the previous tip {ci.base[:12]} is not in this clone (force push?)"
        else:
            return range_selection(repo, (head,), (base,), ci.label, note)
    others = tuple(sorted(_already_checked(repo, ci.branch, head, ci.default_branch)))
    if others:
        note += "; checking the commits no other branch has" if note else "checking the commits no other branch has"
    else:
        note += "; no other branch to compare with: checking the whole history" if note else (
            "no other branch to compare with: checking the whole history")
    return range_selection(repo, (head,), others, ci.label, note)


def _already_checked(repo: Repo, branch: str | None, head: str, default_branch: str | None) -> set[str]:
    """Branches whose commits a new branch need not check again: the default branch, and every
    other branch that does not hold ``head``. A branch that holds it may be just as new (a push
    creating two branches at one commit): excluding each from the other checked nothing."""
    others = _other_branches(repo, branch)
    try:
        holding = set(repo.git.for_each_ref("--contains", head, "--format=%(refname)", "refs/heads",
                                            "refs/remotes").split())
    except Exception:  # GitPython's GitCommandError: an old git without --contains; keep all
        holding = set()
    keep = {name for name in others if name not in holding}
    if default_branch:
        keep |= {name for name in others
                 if name == f"refs/heads/{default_branch}"
                 or (name.startswith("refs/remotes/") and name.split("/", 3)[-1] == default_branch)}
    return keep


def _other_branches(repo: Repo, branch: str | None) -> set[str]:
    """Local and remote-tracking branches other than ``branch`` (by full ref name)."""
    names = set()
    for ref in repo.refs:
        path = str(ref.path)
        if path.startswith("refs/heads/"):
            short = path.removeprefix("refs/heads/")
        elif path.startswith("refs/remotes/"):
            short = path.removeprefix("refs/remotes/").split("/", 1)[-1]
            if short == "HEAD":
                continue
        else:
            continue
        if short != branch:
            names.add(path)
    return names


def history_selection(path: str, branch: str | None, since: str | None) -> GitSelection:
    repo = open_repo(path)
    if not _has_commits(repo):
        return _no_commits(repo, "history")
    if since is not None:
        check_since(since)
    if branch is None:
        revisions: tuple[str, ...] = ("--all",)
        label = "history of all refs"
    else:
        revisions = (resolve(repo, branch, "--branch"),)
        label = f"history of {branch}"
    if since is not None:
        label += f" since {since}"
    return GitSelection(_root(repo), revisions, since, label, _shallow_boundary(repo))


_RELATIVE_DATE = lazy_re.compile(
    r"(?:\d+[ .]?(?:second|minute|hour|day|week|month|year)s?[ .]?)+(?:ago)?", re.IGNORECASE)
_ISO_DATE = lazy_re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?")


def check_since(text: str) -> None:
    """git reads almost any text as a date (``--since "garbage"`` meant "now": 0 commits and a
    green run), so only unambiguous forms get through: an ISO date (``2024-01-31``, optionally
    with a time and zone), a relative one (``2 weeks ago``, ``3.days.ago``), ``yesterday`` or
    ``@UNIX-SECONDS``."""
    value = text.strip()
    ok = bool(value) and (
        value.lower() in ("yesterday", "today")
        or bool(re.fullmatch(r"@\d+", value))
        or bool(_RELATIVE_DATE.fullmatch(value))
        or _valid_iso(value)
    )
    if not ok:
        raise FatalError(
            f"invalid --since date {text!r}: use YYYY-MM-DD (optionally with a time), "
            "'N days|weeks|months|years ago', 'yesterday' or @UNIX-SECONDS"
        )


def _valid_iso(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    from datetime import date

    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False  # 2024-13-45: git would quietly read some other date
    return True


def _git_command(selection: GitSelection, *args: str) -> list[str]:
    import git

    command = [str(git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git"), "-C", selection.root]
    for setting in _PINNED_CONFIG:
        command += ["-c", setting]
    command += args
    if selection.since is not None:
        command.append(f"--since={selection.since}")
    return [*command, *selection.revisions, "--"]


def count_commits(selection: GitSelection) -> int:
    """How many commits the scan will read (for the progress indicator)."""
    command = _git_command(selection, "rev-list", "--count")
    proc = subprocess.run(command, capture_output=True, check=False)
    try:
        return int(proc.stdout.strip() or 0)
    except ValueError:
        return 0


def stream_log(selection: GitSelection, max_size: int) -> Iterator[LogEvent]:
    """Commits and their added text, newest first, streamed from ``git log``."""
    if selection.empty:
        return
    command = _git_command(selection, *_LOG_OPTIONS)
    # stderr goes to a file: a pipe left unread could fill up and stall git.
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, bufsize=_PIPE_BUFFER)
        except OSError as exc:
            raise FatalError(f"cannot run git: {exc.strerror}") from None
        assert proc.stdout is not None
        finished = False
        try:
            yield from parse_log(proc.stdout, max_size)
            finished = True
        finally:
            if not finished:
                proc.kill()
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {code}"
            raise FatalError(f"git log failed: {_first_line(detail)}")


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""

