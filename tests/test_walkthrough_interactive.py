"""`migrate interactive` as a first-hour user scripts it: several paths, an allow comment that
works in YAML (Helm values, Kubernetes manifests), and a piped dialogue that reads line by line."""
from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from tests.conftest import git, run_cli, run_cli_subprocess


def _password(seed: int) -> str:
    return "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=20))


@pytest.fixture
def repo(git_repo: Path) -> Path:
    chart = git_repo / "charts" / "api"
    chart.mkdir(parents=True)
    (chart / "values.yaml").write_text(
        "replicaCount: 2\n"
        "image:\n  repository: registry.example.com/api\n  tag: 1.4.2\n"
        "postgresql:\n  auth:\n"
        f"    password: {_password(1)}\n"
        "    database: api\n"
    )
    (git_repo / "worker").mkdir()
    (git_repo / "worker" / ".env").write_text(f"QUEUE=jobs\nWORKER_TOKEN={_password(2)}\n")
    (git_repo / "docs").mkdir()
    (git_repo / "docs" / "notes.py").write_text(f'ADMIN_PASSWORD = "{_password(3)}"\n')
    git(git_repo, "add", "-A")
    return git_repo


@pytest.mark.subprocess
def test_allow_in_yaml_for_several_paths_with_piped_answers(repo: Path) -> None:
    proc = run_cli_subprocess("migrate", "interactive", "charts/api/values.yaml", "worker", cwd=repo, input=b"a\nb\n")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # each prompt is followed by the piped answer on its own line, never by the next prompt
    assert "m/a/b/s/q? a" in lines and "m/a/b/s/q? b" in lines, proc.stdout
    assert not any(line.count("m/a/b/s/q?") > 1 for line in lines), proc.stdout
    assert "docs/notes.py" not in proc.stdout  # only the paths given

    values = (repo / "charts" / "api" / "values.yaml").read_text().splitlines()
    marker = values.index("    # secretshift: allow")
    assert values[marker + 1].startswith("    password: ")  # above the line, indented like it
    assert "secretshift: allow" not in (repo / "worker" / ".env").read_text()
    assert (repo / ".secrets.baseline").is_file()
    after = run_cli("scan", "charts", "worker", cwd=repo)
    assert after.returncode == 0, after.stdout + after.stderr
