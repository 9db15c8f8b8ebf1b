"""`secretshift baseline audit`: labelling in a real terminal (a pty), and `--report`."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fakes import aws_key_id, github_token

KEY, TOKEN, THIRD = aws_key_id(41), github_token(42), aws_key_id(43)


def _baselined(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(f'import os\nAWS_KEY = "{KEY}"  # fixture\n')
    (git_repo / "ci.sh").write_text(f"export GITHUB_TOKEN={TOKEN}\n")
    (git_repo / "old.py").write_text(f'K = "{THIRD}"\n')
    assert run_cli("baseline", "create", cwd=git_repo).returncode == 0
    (git_repo / "old.py").write_text("K = None\n")  # gone since: the audit says so
    return git_repo / ".secrets.baseline"


def _answer_in_a_terminal(cwd: Path, answers: list[str], *args: str,
                          command: tuple[str, ...] = (sys.executable, "-m", "secretshift", "baseline", "audit")) -> str:
    """Run an audit on a pty, answering each prompt in turn; the whole screen output."""
    main, child = pty.openpty()
    proc = subprocess.Popen([*command, *args],
                            cwd=cwd, stdin=child, stdout=child, stderr=child, close_fds=True)
    os.close(child)
    screen = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if pending and screen.rstrip().endswith((b"[q]uit:", b"(q)uit:")):
                os.write(main, pending.pop(0).encode() + b"\n")
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(main)
    assert proc.returncode == 0, screen.decode(errors="replace")
    return screen.decode(errors="replace")


@pytest.mark.subprocess
def test_interactive_labels_are_saved_and_nothing_leaks(git_repo: Path) -> None:
    path = _baselined(git_repo)
    screen = _answer_in_a_terminal(git_repo, ["y", "n"])
    # Entries come in file order: app.py, ci.sh, old.py (gone: no question asked).
    assert "app.py:2  AWS Access Key" in screen
    assert 'AWS_KEY = "AKIA*****"  # fixture' in screen  # the line, with the secret masked
    assert "not found in the file any more" in screen
    assert KEY not in screen and TOKEN not in screen
    labels = {name: [e.get("is_secret") for e in entries]
              for name, entries in json.loads(path.read_text())["results"].items()}
    assert labels == {"app.py": [True], "ci.sh": [False], "old.py": [None]}
    # A second audit only asks about what is still unlabelled.
    again = _answer_in_a_terminal(git_repo, [])
    assert "app.py:2" not in again and "old.py" in again


@pytest.mark.subprocess
def test_quit_keeps_what_was_answered(git_repo: Path) -> None:
    path = _baselined(git_repo)
    _answer_in_a_terminal(git_repo, ["s", "q"])
    entries = [e for items in json.loads(path.read_text())["results"].values() for e in items]
    assert all("is_secret" not in e for e in entries)
    _answer_in_a_terminal(git_repo, ["n", "q"])
    assert json.loads(path.read_text())["results"]["app.py"][0]["is_secret"] is False


def test_audit_without_a_terminal_points_to_report(git_repo: Path) -> None:
    _baselined(git_repo)
    proc = run_cli("baseline", "audit", cwd=git_repo, input=b"y\n")
    assert proc.returncode == 2 and "--report" in proc.stderr


def test_report_counts_by_type_and_label(git_repo: Path) -> None:
    path = _baselined(git_repo)
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    proc = run_cli("baseline", "audit", "--report", cwd=git_repo)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "3 entries in 3 files" in out
    assert "1 real, 0 false positive, 2 unlabelled" in out
    assert "AWS Access Key  1 real, 1 unlabelled" in out
    assert "GitHub Token    1 unlabelled" in out
    assert "app.py:2  AWS Access Key" in out.split("still to migrate")[1]


@pytest.mark.subprocess
def test_detect_secrets_interactive_audit_labels_reach_the_hook(git_repo: Path) -> None:
    """`detect-secrets audit` (interactive, in a terminal) on our baseline: its labels are ours."""
    (git_repo / "app.py").write_text(f'AWS_KEY = "{KEY}"\n')
    assert run_cli("baseline", "create", cwd=git_repo).returncode == 0
    detect_secrets = str(Path(sys.executable).parent / "detect-secrets")
    # detect-secrets asks whether the string should be committed: "n" means a real secret.
    screen = _answer_in_a_terminal(git_repo, ["n"], ".secrets.baseline", command=(detect_secrets, "audit"))
    assert "Saving progress" in screen
    entry = json.loads((git_repo / ".secrets.baseline").read_text())["results"]["app.py"][0]
    assert entry["is_secret"] is True
    hook = run_cli("hook", "app.py", cwd=git_repo)
    assert hook.returncode == 0 and "accepted but still to migrate" in hook.stdout
    assert run_cli("baseline", "update", cwd=git_repo).returncode == 0
    assert json.loads((git_repo / ".secrets.baseline").read_text())["results"]["app.py"][0]["is_secret"] is True
