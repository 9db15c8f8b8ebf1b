"""`secretshift scan --staged` reads the index (not the work tree), reports only what the change
adds, with the staged version's line numbers; `install-hook` wires it into git."""
from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git, run_cli
from tests.fakes import aws_key_id, github_token

KEY, OTHER, TOKEN = aws_key_id(21), aws_key_id(22), github_token(23)


def _staged_json(repo: Path, *extra: str) -> tuple[int, list[dict[str, object]]]:
    proc = run_cli("scan", "--staged", "--format", "json", *extra, cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


def _committed(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")


def test_reads_the_index_not_the_work_tree(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'K = "{KEY}"\n')
    git(git_repo, "add", "a.py")
    (git_repo / "a.py").write_text("K = None\n")  # unstaged fix: the commit would still add the key
    code, findings = _staged_json(git_repo)
    assert code == 1 and [(f["path"], f["line"]) for f in findings] == [("a.py", 1)]
    (git_repo / "b.py").write_text(f'K = "{OTHER}"\n')  # in the work tree only
    assert [f["path"] for f in _staged_json(git_repo)[1]] == ["a.py"]


def test_only_added_lines_with_staged_line_numbers(git_repo: Path) -> None:
    lines = [f"line {i}" for i in range(1, 11)]
    _committed(git_repo, {"conf/app.ini": "\n".join([*lines[:3], f"old_key = {KEY}", *lines[3:]]) + "\n"})
    # The old key stays (not added by this change), two lines are inserted above it and a new
    # secret is added further down.
    text = "\n".join(["new 1", "new 2", *lines[:3], f"old_key = {KEY}", *lines[3:6], f"token = {TOKEN}", *lines[6:]])
    (git_repo / "conf/app.ini").write_text(text + "\n")
    git(git_repo, "add", "-A")
    code, findings = _staged_json(git_repo)
    assert code == 1
    assert [(f["path"], f["line"], f["rule"]) for f in findings] == [("conf/app.ini", 10, "github-token")]


def test_new_renamed_deleted_and_binary_files(git_repo: Path) -> None:
    _committed(git_repo, {"old/keys.py": f'K = "{KEY}"\n', "gone.py": f'K = "{OTHER}"\n'})
    git(git_repo, "mv", "old/keys.py", "new_keys.py")  # a pure rename adds nothing
    git(git_repo, "rm", "-q", "gone.py")
    (git_repo / "blob.bin").write_bytes(b"\0\x01" + TOKEN.encode())
    (git_repo / "fresh dir").mkdir()
    (git_repo / "fresh dir" / "new file.env").write_text(f"A=1\nTOKEN={TOKEN}\n")
    git(git_repo, "add", "-A")
    code, findings = _staged_json(git_repo)
    assert [(f["path"], f["line"]) for f in findings] == [("fresh dir/new file.env", 2)]


def test_nothing_staged_is_clean(git_repo: Path) -> None:
    _committed(git_repo, {"a.py": f'K = "{KEY}"\n'})
    assert _staged_json(git_repo) == (0, [])


def test_baseline_applies_to_staged(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'K = "{KEY}"\n')
    git(git_repo, "add", "a.py")
    assert run_cli("baseline", "create", cwd=git_repo).returncode == 0
    assert _staged_json(git_repo) == (0, [])
    (git_repo / "sub").mkdir()
    proc = run_cli("scan", "--staged", cwd=git_repo / "sub")  # from a subfolder: same root, same baseline
    assert proc.returncode == 0, proc.stdout


def test_text_output_is_the_hook_message(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'K = "{KEY}"\n')
    git(git_repo, "add", "a.py")
    proc = run_cli("scan", "--staged", cwd=git_repo)
    assert proc.returncode == 1
    assert "a.py:1  aws-access-key-id  AKIA*****" in proc.stdout and "rotate" in proc.stdout
    assert KEY not in proc.stdout + proc.stderr


def test_staged_outside_git_is_an_error(tmp_path: Path) -> None:
    proc = run_cli("scan", "--staged", cwd=tmp_path)
    assert proc.returncode == 2 and "git" in proc.stderr and "Traceback" not in proc.stderr


# -- install-hook -------------------------------------------------------------------------------
def _hook_env() -> dict[str, str]:
    return {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _commit(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-qm", "x"], cwd=repo,
                          env=_hook_env(), capture_output=True, text=True)


def test_installed_hook_blocks_a_secret_and_passes_a_clean_commit(git_repo: Path) -> None:
    proc = run_cli("install-hook", cwd=git_repo)
    assert proc.returncode == 0, proc.stderr
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    (git_repo / "a.py").write_text(f'K = "{KEY}"\n')
    git(git_repo, "add", "a.py")
    blocked = _commit(git_repo)
    assert blocked.returncode == 1 and "a.py:1" in blocked.stdout + blocked.stderr
    (git_repo / "a.py").write_text('K = os.environ["K"]\n')
    git(git_repo, "add", "a.py")
    assert _commit(git_repo).returncode == 0


@pytest.mark.parametrize("how", [["-a"], ["--only", "a.py"]], ids=["commit-all", "commit-only-a-path"])
def test_installed_hook_sees_what_commit_a_and_partial_commits_record(git_repo: Path, how: list[str]) -> None:
    """`git commit -a` / `git commit PATH` record through a temporary index (GIT_INDEX_FILE)."""
    _committed(git_repo, {"a.py": "K = None\n"})
    assert run_cli("install-hook", cwd=git_repo).returncode == 0
    (git_repo / "a.py").write_text(f'K = "{KEY}"\n')  # modified, not staged
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-qm", "x", *how], cwd=git_repo,
                          env=_hook_env(), capture_output=True, text=True)
    assert proc.returncode == 1 and "a.py:1" in proc.stdout + proc.stderr


@pytest.mark.subprocess
def test_install_respects_core_hooks_path_and_foreign_hooks(git_repo: Path) -> None:
    git(git_repo, "config", "core.hooksPath", "ci/hooks")
    foreign = git_repo / "ci" / "hooks" / "pre-commit"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("#!/bin/sh\necho mine\n")
    refused = run_cli("install-hook", cwd=git_repo)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert foreign.read_text() == "#!/bin/sh\necho mine\n"
    assert run_cli("install-hook", "--force", "--pre-push", cwd=git_repo).returncode == 0
    assert "secretshift" in foreign.read_text()
    assert (foreign.parent / "pre-commit.secretshift-backup").read_text() == "#!/bin/sh\necho mine\n"
    assert (foreign.parent / "pre-push").is_file()
    assert not (git_repo / ".git" / "hooks" / "pre-commit").exists()
    assert run_cli("install-hook", cwd=git_repo).returncode == 0  # ours: updated in place


def test_pre_push_scans_every_pushed_commit(git_repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(git_repo, "remote", "add", "origin", str(remote))
    _committed(git_repo, {"README": "hello\n"})
    git(git_repo, "push", "-q", "origin", "main")
    assert run_cli("install-hook", "--pre-push", cwd=git_repo).returncode == 0
    (git_repo / ".git" / "hooks" / "pre-commit").unlink()  # commit freely, the push must stop it
    _committed(git_repo, {"a.py": f'K = "{KEY}"\n'})
    _committed(git_repo, {"a.py": 'K = os.environ["K"]\n'})  # removed again, but still in history
    push = subprocess.run(["git", "push", "origin", "main"], cwd=git_repo, env=_hook_env(),
                          capture_output=True, text=True)
    output = push.stdout + push.stderr
    assert push.returncode != 0
    assert "would be pushed" in output and "a.py:1 (commit" in output
    assert KEY not in push.stdout + push.stderr


@pytest.mark.parametrize("content", [f'K = "{KEY}"  # secretshift: allow\n', "K = 1\n"], ids=["allowed", "clean"])
def test_pre_push_lets_clean_pushes_through(git_repo: Path, tmp_path: Path, content: str) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(git_repo, "remote", "add", "origin", str(remote))
    assert run_cli("install-hook", "--pre-push", cwd=git_repo).returncode == 0
    _committed(git_repo, {"a.py": content})
    push = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=git_repo, env=_hook_env(),
                          capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
