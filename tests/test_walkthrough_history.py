"""A secret found in an old commit only: the hint says it is history-only and what to do
(rotate; purge with a replace-text file), never "migrate plan", which would find nothing."""
from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git


def _password(seed: int) -> str:
    return "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=24))


@pytest.fixture
def chart(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Helm chart whose values once held a password (removed since) and still hold a token."""
    monkeypatch.chdir(git_repo)
    git(git_repo, "commit", "-q", "--allow-empty", "-m", "empty chart")
    values = git_repo / "values.yaml"
    values.write_text("replicaCount: 2\nimage:\n  tag: 1.4.2\ndatabase:\n"
                      f"  password: \"{_password(1)}\"\nredis:\n  authToken: \"{_password(2)}\"\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "chart")
    values.write_text(values.read_text().replace(f'"{_password(1)}"', "{{ .Values.global.dbPassword }}"))
    git(git_repo, "commit", "-qam", "database password from the global values")
    return git_repo


def test_history_only_findings_say_so(chart: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--history", "."]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    gone = next(i for i, line in enumerate(lines) if line.startswith("values.yaml:5:"))
    assert lines[gone + 1].startswith("  history only: not in the current values.yaml"), out
    assert "rotate it" in lines[gone + 1] and "git filter-repo --replace-text" in lines[gone + 1]
    assert "migrate plan values.yaml:5" not in out
    kept = next(i for i, line in enumerate(lines) if line.startswith("values.yaml:7:"))
    assert "secretshift migrate plan values.yaml:7" in lines[kept + 1]


def test_ci_annotations_say_history_only(chart: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    base = git(chart, "rev-list", "--max-parents=0", "HEAD").strip()
    assert main(["ci", "--base", base, "--head", "HEAD", "--format", "github"]) == 1
    annotations = capsys.readouterr().out.splitlines()
    gone = next(a for a in annotations if "line=5," in a)
    assert "only in git history" in gone and "secretshift migrate plan" not in gone
    kept = next(a for a in annotations if "line=7," in a)
    assert "secretshift migrate plan" in kept
    assert all(a.count("assigned to") <= 1 for a in annotations), annotations
