"""Odd git states: the work-tree scan lists files through git and must cope with all of them.

Decision: a submodule is not entered (it is its own repository, scanned on its own); its path is
reported in `skipped` so the omission is visible.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git, run_cli
from tests.planted import github_token


def _report(*args: str) -> tuple[int, dict[str, object]]:
    proc = run_cli("scan", "--format", "json", *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _paths(report: dict[str, object]) -> list[str]:
    return sorted(f["path"] for f in report["findings"])  # type: ignore[attr-defined]


def test_empty_repository_without_commits(git_repo: Path) -> None:
    code, report = _report(str(git_repo))
    assert (code, _paths(report)) == (0, [])
    (git_repo / "new.env").write_text(f"GITHUB_TOKEN={github_token(40)}\n")
    code, report = _report(str(git_repo))
    assert (code, _paths(report)) == (1, ["new.env"])  # untracked, not ignored: scanned


def test_ignored_file_is_not_scanned_but_is_with_no_git(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("*.local\n")
    (git_repo / "x.local").write_text(f"GITHUB_TOKEN={github_token(41)}\n")
    assert _report(str(git_repo))[0] == 0
    assert _paths(_report("--no-git", str(git_repo))[1]) == ["x.local"]


def test_detached_head(git_repo: Path) -> None:
    (git_repo / "a.env").write_text(f"GITHUB_TOKEN={github_token(42)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "one")
    (git_repo / "b.env").write_text(f"GITHUB_TOKEN={github_token(43)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "two")
    git(git_repo, "checkout", "-q", "--detach", "HEAD~1")
    code, report = _report(str(git_repo))
    assert (code, _paths(report)) == (1, ["a.env"])


def test_shallow_clone(git_repo: Path, tmp_path: Path) -> None:
    for i in range(3):
        (git_repo / f"f{i}.env").write_text(f"GITHUB_TOKEN={github_token(50 + i)}\n")
        git(git_repo, "add", "-A")
        git(git_repo, "commit", "-qm", f"c{i}")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{git_repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    code, report = _report(str(clone))
    assert (code, _paths(report)) == (1, ["f0.env", "f1.env", "f2.env"])


def test_submodule_is_reported_not_entered(git_repo: Path, tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q")
    (sub / "inner.env").write_text(f"GITHUB_TOKEN={github_token(60)}\n")
    git(sub, "add", "-A")
    git(sub, "commit", "-qm", "sub")
    (git_repo / "outer.env").write_text(f"GITHUB_TOKEN={github_token(61)}\n")
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "with submodule")
    code, report = _report(str(git_repo))
    assert (code, _paths(report)) == (1, ["outer.env"])
    assert [s["path"] for s in report["skipped"]] == ["vendor/sub"]  # type: ignore[attr-defined]
    # Scanned on its own, the submodule's secret is found.
    code, report = _report(str(git_repo / "vendor" / "sub"))
    assert (code, _paths(report)) == (1, ["inner.env"])


def test_not_a_git_repository_falls_back_to_walking(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(62)}\n")
    (tmp_path / ".git").write_text("gitdir: /nonexistent\n")  # a broken worktree pointer
    code, report = _report(str(tmp_path))
    assert (code, _paths(report)) == (1, ["a.env"])


def test_corrupt_index_falls_back_without_traceback(git_repo: Path) -> None:
    (git_repo / "a.env").write_text(f"GITHUB_TOKEN={github_token(63)}\n")
    git(git_repo, "add", "-A")
    (git_repo / ".git" / "index").write_bytes(b"DIRC garbage")
    code, report = _report(str(git_repo))
    assert (code, _paths(report)) == (1, ["a.env"])


@pytest.fixture(scope="module")
def ten_thousand_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    # tmpfs when there is one: creating 10,000 files on the shared disk takes ~15 s.
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        repo = Path(tempfile.mkdtemp(prefix="secretshift-10k-", dir=shm))
    else:
        repo = tmp_path_factory.mktemp("big")
    git(repo, "init", "-q")
    planted = []
    for i in range(10_000):
        folder = repo / f"d{i // 500:02d}"
        folder.mkdir(exist_ok=True)
        if i % 1000 == 7:
            planted.append(f"d{i // 500:02d}/f{i}.py")
            text = f"TOKEN = '{github_token(10_000 + i)}'\n"
        else:
            text = f"value_{i} = {i}\n"
        (folder / f"f{i}.py").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "ten thousand files")
    yield repo, sorted(planted)
    shutil.rmtree(repo, ignore_errors=True)


@pytest.mark.parametrize("jobs", ["1", "2"] if os.environ.get("SECRETSHIFT_SLOW_TESTS") else ["2"])
def test_commit_with_ten_thousand_files(ten_thousand_files: tuple[Path, list[str]], jobs: str) -> None:
    repo, planted = ten_thousand_files
    listed = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True).stdout
    assert listed.count("\n") == 10_000
    code, report = _report("--jobs", jobs, str(repo))
    assert code == 1
    assert _paths(report) == planted
    assert report["stats"]["files_scanned"] == 10_000  # type: ignore[index]
