"""Items 7 and 8: pushes that used to check nothing. Two new branches at one commit (each
excluded the other), and merge commits in the pre-push hook (`--no-merges`)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git, run_cli
from tests.fakes import aws_key_id, github_token

ZERO = "0" * 40


def _remote_with_main(tmp_path: Path) -> tuple[Path, Path]:
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    dev = tmp_path / "dev"
    git(tmp_path, "clone", "-q", str(remote), str(dev))
    (dev / "README.md").write_text("# billing\n")
    (dev / "billing.py").write_text("import os\n\nTOKEN = os.environ['TOKEN']\n")
    git(dev, "add", "-A")
    git(dev, "commit", "-q", "-m", "initial")
    git(dev, "push", "-q", "origin", "HEAD:refs/heads/main")
    return remote, dev


def _github_push(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, event: dict[str, object]) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)


@pytest.mark.parametrize("default_branch", [None, "main"], ids=["event-without-default", "event-with-default"])
def test_two_new_branches_at_one_commit_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str],
                                                    default_branch: str | None) -> None:
    remote, dev = _remote_with_main(tmp_path)
    (dev / "billing.py").write_text(f'TOKEN = "{github_token(51)}"\n')
    git(dev, "commit", "-q", "-am", "hardcode for the demo")
    head = git(dev, "rev-parse", "HEAD").strip()
    git(dev, "push", "-q", "origin", "HEAD:refs/heads/feat-a", "HEAD:refs/heads/feat-b")  # one push, two branches
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--no-checkout", str(remote), str(ci))
    git(ci, "checkout", "-q", head)
    event: dict[str, object] = {"before": ZERO, "after": head, "ref": "refs/heads/feat-a", "created": True}
    if default_branch:
        event["repository"] = {"default_branch": default_branch}
    _github_push(tmp_path, monkeypatch, event)
    monkeypatch.chdir(ci)
    code = main(["ci", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "1 commit(s) checked" in captured.err
    assert [f["path"] for f in json.loads(captured.out)["findings"]] == ["billing.py"]


def test_a_new_branch_at_the_default_branch_tip_checks_nothing_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The common case stays cheap: `git switch -c feature && git push` before any commit."""
    remote, dev = _remote_with_main(tmp_path)
    head = git(dev, "rev-parse", "HEAD").strip()
    git(dev, "push", "-q", "origin", "HEAD:refs/heads/feature")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(remote), str(ci))
    _github_push(tmp_path, monkeypatch, {"before": ZERO, "after": head, "ref": "refs/heads/feature",
                                         "repository": {"default_branch": "main"}})
    monkeypatch.chdir(ci)
    assert main(["ci"]) == 0
    assert "0 commit(s) checked" in capsys.readouterr().err


def _conflicting_merge(dev: Path, resolution: str) -> str:
    """main and topic both change billing.py; the merge resolves the conflict with ``resolution``."""
    git(dev, "switch", "-q", "-c", "topic")
    (dev / "billing.py").write_text("import os\n\nTOKEN = os.environ['BILLING_TOKEN']\n")
    git(dev, "commit", "-q", "-am", "rename the variable")
    git(dev, "switch", "-q", "main")
    (dev / "billing.py").write_text("import os\n\nTOKEN = os.environ.get('TOKEN', '')\n")
    git(dev, "commit", "-q", "-am", "default to empty")
    proc = git_merge(dev)
    assert proc != 0
    (dev / "billing.py").write_text(resolution)
    git(dev, "add", "billing.py")
    git(dev, "commit", "-q", "--no-edit", "--no-verify")  # the pre-commit hook is not the subject here
    return git(dev, "rev-parse", "HEAD").strip()


def git_merge(repo: Path) -> int:
    import subprocess

    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "merge", "-q", "topic"],
                          cwd=repo, capture_output=True, check=False).returncode


def test_pre_push_checks_a_secret_typed_while_resolving_a_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    remote, dev = _remote_with_main(tmp_path)
    git(dev, "fetch", "-q", "origin")
    key = aws_key_id(52)
    merge = _conflicting_merge(dev, f"import os\n\nTOKEN = os.environ.get('BILLING_TOKEN', '')\nAWS_KEY = '{key}'\n")
    old = git(dev, "rev-parse", "origin/main").strip()
    monkeypatch.chdir(dev)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"refs/heads/main {merge} refs/heads/main {old}\n"))
    assert main(["hook", "--pre-push", "origin", str(remote)]) == 1
    out = capsys.readouterr().out
    assert "billing.py:4" in out and f"commit {merge[:12]}" in out


def test_a_clean_merge_adds_nothing_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines taken from either side are that side's commits' business, not the merge's."""
    remote, dev = _remote_with_main(tmp_path)
    git(dev, "fetch", "-q", "origin")
    merge = _conflicting_merge(dev, "import os\n\nTOKEN = os.environ.get('BILLING_TOKEN', '')\n")
    old = git(dev, "rev-parse", "origin/main").strip()
    monkeypatch.chdir(dev)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"refs/heads/main {merge} refs/heads/main {old}\n"))
    assert main(["hook", "--pre-push", "origin", str(remote)]) == 0


@pytest.mark.subprocess
def test_real_git_push_runs_the_hook_on_the_merge(tmp_path: Path) -> None:
    """End to end: `secretshift install-hook --pre-push`, then a real `git push` is refused."""
    remote, dev = _remote_with_main(tmp_path)
    git(dev, "fetch", "-q", "origin")
    assert run_cli("install-hook", "--pre-push", cwd=dev).returncode == 0
    _conflicting_merge(dev, f"TOKEN = '{github_token(53)}'\n")
    import subprocess

    proc = subprocess.run(["git", "push", "origin", "main"], cwd=dev, capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert "would be pushed" in proc.stdout + proc.stderr
    assert git(tmp_path, "--git-dir", str(remote), "rev-parse", "main").strip() != git(dev, "rev-parse", "HEAD").strip()


def test_the_default_branch_comes_from_the_ci_environment(tmp_path: Path) -> None:
    from secretshift.cienv import detect_range

    sha = "b" * 40
    gitlab = detect_range({"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_BEFORE_SHA": ZERO,
                           "CI_COMMIT_BRANCH": "feat-a", "CI_DEFAULT_BRANCH": "trunk"})
    assert (gitlab.base, gitlab.branch, gitlab.default_branch) == (None, "feat-a", "trunk")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": ZERO, "after": sha, "ref": "refs/heads/feat-a",
                                 "repository": {"default_branch": "develop"}}))
    github = detect_range({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event)})
    assert (github.base, github.default_branch) == (None, "develop")
