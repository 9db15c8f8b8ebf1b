"""Item 13: a file name holding terminal control sequences is printed escaped by every human
output (hook hints, scan text, ci notes, migrate plan summary, migrate interactive), and a name
starting with `-` gets `--` in the suggested commands, which paste back to the real name."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git, run_cli
from tests.fakes import github_token

# Set the terminal title, clear the screen, ring the bell, recolour: what a hostile name can do.
HOSTILE = ["-rf \x1b]0;owned\x07.env", "notes\x1b[2J\x1b[H.env", "x\x9b31m.env"]
CONTROL = ("\x1b", "\x07", "\x9b")


def _plant(repo: Path) -> None:
    for number, name in enumerate(HOSTILE):
        (repo / name).write_text(f"GITHUB_TOKEN={github_token(70 + number)}\n")
    git(repo, "add", "--", *HOSTILE)


def _clean(text: str) -> None:
    for char in CONTROL:
        assert char not in text, repr(text)


def test_commit_hook_hint_escapes_names_and_separates_options(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _plant(git_repo)
    monkeypatch.chdir(git_repo)
    assert main(["hook"]) == 1
    out = capsys.readouterr()
    _clean(out.out + out.err)
    hint = next(line for line in out.out.splitlines() if "secretshift baseline update" in line)
    assert "baseline update -- " in hint
    # The suggested words, pasted into a real shell, are the real file names.
    words = hint.split("baseline update -- ", 1)[1]
    shell = subprocess.run(["bash", "-c", f"printf '%s\\0' {words}"], capture_output=True, check=True)
    assert sorted(os.fsdecode(w) for w in shell.stdout.split(b"\0") if w) == sorted(HOSTILE)


def test_pre_commit_style_hook_with_files(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _plant(git_repo)
    monkeypatch.chdir(git_repo)
    assert main(["hook", "--", *HOSTILE]) == 1
    out = capsys.readouterr()
    _clean(out.out + out.err)
    assert "migrate plan -- " in out.out


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_scan_reports_for_people(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    _plant(git_repo)
    monkeypatch.chdir(git_repo)
    assert main(["scan", ".", "--format", fmt]) == 1
    out = capsys.readouterr()
    _clean(out.out + out.err)


def test_ci_output_and_notes(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "README.md").write_text("x\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "base")
    base = git(git_repo, "rev-parse", "HEAD").strip()
    _plant(git_repo)
    (git_repo / ".secretshift.toml").write_text('exclude = ["^docs\\\\x1b"]\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "pr")
    monkeypatch.chdir(git_repo)
    assert main(["ci", "--base", base, "--head", "HEAD"]) == 1
    out = capsys.readouterr()
    _clean(out.out + out.err)


@pytest.mark.subprocess
def test_migrate_plan_summary_and_interactive(git_repo: Path) -> None:
    """The real CLI: the plan's summary and the interactive prompt list file names."""
    name = "svc\x1b]0;owned\x07.env"
    (git_repo / name).write_text(f"GITHUB_TOKEN={github_token(79)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "env")
    plan = run_cli("migrate", "plan", name, "--out", "plan.json", cwd=git_repo)
    assert plan.returncode == 0, plan.stderr
    _clean(plan.stdout + plan.stderr)
    assert "svc\\x1b]0;owned\\x07.env" in plan.stdout
    interactive = run_cli("migrate", "interactive", ".", cwd=git_repo, input=b"s\nq\n")
    _clean(interactive.stdout + interactive.stderr)
    assert "svc\\x1b]0;owned\\x07.env" in interactive.stdout
