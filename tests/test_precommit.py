"""The hooks through the real `pre-commit`: installed from a snapshot of this checkout (its
working tree committed in a temp clone), in temp git repos, with one shared PRE_COMMIT_HOME so
the hook environment is built once per session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checkout import snapshot as snapshot_checkout
from tests.conftest import ROOT, git
from tests.fakes import aws_key_id

BIN = Path(sys.executable).parent
PRE_COMMIT = str(BIN / "pre-commit")


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as pre-commit sees a hooks repository: a git repo at a committed rev."""
    snapshot = tmp_path_factory.mktemp("hooks-repo")
    return snapshot, snapshot_checkout(snapshot)


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    # Every clone pre-commit makes of the hooks repository is made as on Windows: no symlinks.
    no_symlinks = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.symlinks", "GIT_CONFIG_VALUE_0": "false"}
    return {**os.environ, **no_symlinks, "PRE_COMMIT_HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def _config(hooks: tuple[Path, str], hook_id: str = "secretshift") -> str:
    return f"repos:\n  - repo: {hooks[0]}\n    rev: {hooks[1]}\n    hooks:\n      - id: {hook_id}\n"


@pytest.fixture(scope="session")
def installed(hooks_repo: tuple[Path, str], pre_commit_env: dict[str, str],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build the hook environment once (pip install of the snapshot)."""
    repo = tmp_path_factory.mktemp("warm-up")
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(_config(hooks_repo))
    proc = subprocess.run([PRE_COMMIT, "install-hooks"], cwd=repo, env=pre_commit_env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return hooks_repo


def _commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-m", "change"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=300)


KEY = aws_key_id(11)
CASES = [
    # (files, baseline the secret first?, commit allowed?)
    ({"settings.py": f'AWS_KEY = "{KEY}"\n'}, False, False),
    ({"settings.py": 'AWS_KEY = os.environ["AWS_KEY"]\n', "logo.png": "\x89PNG\0\0"}, False, True),
    ({"settings.py": f'AWS_KEY = "{KEY}"\n'}, True, True),
    ({"settings.py": f'AWS_KEY = "{KEY}"  # secretshift: allow\n'}, False, True),
    ({"settings.py": f'# pragma: allowlist nextline secret\nAWS_KEY = "{KEY}"\n'}, False, True),
]
IDS = ["staged-secret-blocks", "clean-commit-passes", "baselined-secret-passes",
       "allow-comment-passes", "detect-secrets-pragma-passes"]


@pytest.mark.subprocess
@pytest.mark.parametrize(("files", "baselined", "allowed"), CASES, ids=IDS)
def test_git_commit_through_pre_commit(installed: tuple[Path, str], pre_commit_env: dict[str, str],
                                       git_repo: Path, files: dict[str, str], baselined: bool,
                                       allowed: bool) -> None:
    (git_repo / ".pre-commit-config.yaml").write_text(_config(installed))
    proc = subprocess.run([PRE_COMMIT, "install"], cwd=git_repo, env=pre_commit_env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name, text in files.items():
        (git_repo / name).write_text(text)
    if baselined:
        made = subprocess.run([str(BIN / "secretshift"), "baseline", "create"], cwd=git_repo,
                              env=pre_commit_env, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
    git(git_repo, "add", "-A")
    commit = _commit(git_repo, pre_commit_env)
    assert (commit.returncode == 0) is allowed, commit.stdout + commit.stderr
    if not allowed:
        output = commit.stdout + commit.stderr  # git shows hook output on stderr
        assert "settings.py:1  aws-access-key-id  AKIA*****" in output
        assert "secretshift migrate plan settings.py:1" in output
        assert KEY not in output
        assert git_repo.joinpath(".git", "HEAD").read_text() == "ref: refs/heads/main\n"
        assert subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=git_repo,
                              capture_output=True).returncode != 0


@pytest.mark.subprocess
def test_try_repo_against_this_checkout(hooks_repo: tuple[Path, str], pre_commit_env: dict[str, str],
                                        git_repo: Path) -> None:
    """`pre-commit try-repo` as a user would try the hook. It builds its own environment every
    time, so it runs once; the other cases share the session's installed one."""
    (git_repo / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    (git_repo / "ok.txt").write_text("fine\n")
    git(git_repo, "add", "-A")
    proc = subprocess.run([PRE_COMMIT, "try-repo", str(hooks_repo[0]), "secretshift", "--ref", hooks_repo[1]],
                          cwd=git_repo, env=pre_commit_env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "deploy.env:1  aws-access-key-id" in proc.stdout
    assert "ok.txt" not in proc.stdout


@pytest.mark.subprocess
def test_migrate_hook_runs_in_the_manual_stage(installed: tuple[Path, str], pre_commit_env: dict[str, str],
                                               git_repo: Path) -> None:
    from secretshift.cli import COMMANDS

    (git_repo / ".pre-commit-config.yaml").write_text(_config(installed, "secretshift-migrate"))
    (git_repo / "settings.py").write_text(f'AWS_KEY = "{KEY}"\n')
    git(git_repo, "add", "-A")
    normal = subprocess.run([PRE_COMMIT, "run"], cwd=git_repo, env=pre_commit_env, capture_output=True, text=True)
    assert normal.returncode == 0 and "secretshift migrate plan" not in normal.stdout
    manual = subprocess.run([PRE_COMMIT, "run", "--hook-stage", "manual", "--verbose"], cwd=git_repo, env=pre_commit_env,
                            capture_output=True, text=True)
    if "migrate" not in COMMANDS:
        assert manual.returncode == 1 and "not available in this version" in manual.stdout
    else:
        assert manual.returncode == 0 and "not available" not in manual.stdout, manual.stdout
        assert "settings.py:1" in manual.stdout and KEY not in manual.stdout  # the plan, redacted


@pytest.mark.subprocess
def test_this_repository_passes_its_own_hook() -> None:
    """Dogfooding: `.pre-commit-config.yaml` (this checkout's hook and baseline) over every file."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([PRE_COMMIT, "run", "secretshift", "--all-files"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
