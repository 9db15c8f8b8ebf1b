"""The commit hook from the user's side, in process: one behaviour for `secretshift hook FILES`
(what pre-commit runs) and `scan --staged` (the plain git hook) — what the commit adds fails, what
is already in HEAD does not — and fix hints that name commands which work where the hook runs."""
from __future__ import annotations

import random
import string
import sys
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.install import requirement
from tests.conftest import git

_ALNUM = string.ascii_letters + string.digits


def _password(seed: int) -> str:
    return "".join(random.Random(seed).choices(_ALNUM, k=22))


@pytest.fixture
def repo(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose deploy script has held a password since before any hook."""
    monkeypatch.chdir(git_repo)
    for name in ("PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        monkeypatch.delenv(name, raising=False)
    (git_repo / "deploy.sh").write_text(f"#!/bin/sh\nexport DB_PASSWORD='{_password(1)}'\nmake deploy\n")
    (git_repo / "README.md").write_text("# shop\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "initial")
    return git_repo


HOOKS = [pytest.param(["hook", "deploy.sh"], id="pre-commit-hook"), pytest.param(["scan", "--staged"], id="git-hook")]


@pytest.mark.parametrize("argv", HOOKS)
def test_an_unrelated_edit_of_a_file_holding_an_old_secret_passes(
        repo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / "deploy.sh").open("a") as script:
        script.write("echo harmless\n")
    git(repo, "add", "deploy.sh")
    assert main(argv) == 0, capsys.readouterr()


@pytest.mark.parametrize("argv", HOOKS)
def test_a_secret_the_commit_adds_fails(repo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / "deploy.sh").open("a") as script:
        script.write(f"export API_TOKEN='{_password(2)}'\n")
    git(repo, "add", "deploy.sh")
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "deploy.sh:4" in out and "deploy.sh:2" not in out


def test_a_new_file_is_checked_whole(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "worker.env").write_text(f"QUEUE=jobs\nWORKER_PASSWORD={_password(3)}\n")
    git(repo, "add", "worker.env")
    assert main(["hook", "worker.env"]) == 1
    assert "worker.env:2" in capsys.readouterr().out


def test_a_file_with_nothing_staged_is_scanned_whole(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pre-commit run --all-files` passes files that are not staged: the whole file counts."""
    assert main(["hook", "deploy.sh"]) == 1
    assert "deploy.sh:2" in capsys.readouterr().out


def test_pre_commit_s_pre_push_stage_checks_the_pushed_commits(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    start = git(repo, "rev-parse", "HEAD").strip()
    (repo / "app.env").write_text(f"APP_SECRET={_password(4)}\n")
    git(repo, "add", "app.env")
    git(repo, "commit", "-qm", "app", "--no-verify")
    with (repo / "deploy.sh").open("a") as script:
        script.write("echo unrelated\n")
    git(repo, "commit", "-qam", "unrelated", "--no-verify")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", start)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", git(repo, "rev-parse", "HEAD").strip())
    assert main(["hook", "app.env", "deploy.sh"]) == 1
    out = capsys.readouterr().out
    assert "would be pushed" in out and "app.env:1" in out and "deploy.sh" not in out.split("What to do")[0]


def _new_secret(repo: Path) -> None:
    (repo / "app.py").write_text(f'API_KEY = "{_password(5)}"\n')
    git(repo, "add", "app.py")


def test_outside_pre_commit_the_hints_are_secretshift_commands(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _new_secret(repo)
    assert main(["hook", "app.py"]) == 1
    out = capsys.readouterr().out
    assert "        secretshift migrate plan app.py:1\n" in out
    assert "        secretshift baseline update app.py\n        git add .secrets.baseline\n" in out
    assert "pre-commit run" not in out


def test_inside_pre_commit_the_hints_go_through_pre_commit(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/secretshift/secretshift\n    rev: v0.1.0\n"
        "    hooks:\n      - id: secretshift\n")
    _new_secret(repo)
    assert main(["hook", "app.py"]) == 1
    out = capsys.readouterr().out
    assert "        pre-commit run secretshift-baseline --hook-stage manual\n" in out
    assert "first list `- id: secretshift-baseline`" in out  # the config lacks it
    assert f'        pipx install "{requirement("migrate")}"\n' in out
    assert "secretshift baseline update" not in out

    with (repo / ".pre-commit-config.yaml").open("a") as config:
        config.write("      - id: secretshift-baseline\n      - id: secretshift-migrate\n")
    assert main(["hook", "app.py"]) == 1
    out = capsys.readouterr().out
    assert "first list" not in out
    assert "        pre-commit run secretshift-migrate --hook-stage manual\n" in out


def test_a_missing_extra_names_the_command_to_get_it(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.setitem(sys.modules, "boto3", None)  # as on an install without the `migrate` extra
    assert main(["rotation", "check", "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert f'pip install "{requirement("migrate")}"' in err, err
