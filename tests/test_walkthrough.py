"""The first hour of a new user, scripted: install secretshift the way the README says (from a
clone of this checkout at a release tag), adopt the team's detect-secrets baseline, put the hook in
pre-commit, and live with it: unrelated edits pass, baselined secrets pass, a new secret is blocked,
and the fix commands the block message prints work when run exactly as printed.

Everything is real: a fresh venv installs with pip from a `git+file://` URL, detect-secrets 1.5.0
writes the baseline, `pre-commit` builds its own environment from the clone at the tag. That costs
two installs, so the walkthrough is one module-scoped story and its steps run in order.
"""
from __future__ import annotations

import json
import os
import random
import re
import string
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import secretshift
from tests.checkout import snapshot
from tests.conftest import ROOT, git
from tests.fakes import github_token

pytestmark = pytest.mark.subprocess

TEST_BIN = Path(sys.executable).parent  # detect-secrets and pre-commit, as the user has them
REPO_URL = "https://github.com/secretshift/secretshift"
TAG = f"v{secretshift.__version__}"


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _snapshot(target: Path) -> Path:
    """This checkout committed in a temporary clone and tagged as a release there: the shared
    repository gets no tag."""
    snapshot(target, "release candidate")
    git(target, "tag", "-a", TAG, "-m", f"secretshift {secretshift.__version__}")
    return target


@dataclass(frozen=True)
class Walkthrough:
    clone: Path  # the project's repository, as the user's git URL reaches it
    bin: Path  # the user's venv, secretshift installed as the README says
    repo: Path  # the user's project
    env: dict[str, str]

    def run(self, *args: str | Path, path: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if path is not None:
            env["PATH"] = f"{path}{os.pathsep}{env['PATH']}"
        return subprocess.run([str(a) for a in args], cwd=self.repo, env=env, capture_output=True,
                              text=True, timeout=600)

    def shell(self, line: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
        """A command exactly as a message printed it, through a shell as a user pastes it."""
        return self.run("bash", "-c", line, path=path)

    def commit(self, message: str, *paths: str) -> subprocess.CompletedProcess[str]:
        self.run("git", "add", *(paths or ("-A",)))
        return self.run("git", "commit", "-m", message)


def _install_line() -> str:
    """The README's pip line (the pipx line names the same requirement)."""
    match = re.search(r'^pip install "(secretshift\[migrate\] @ git\+\S+)"$', _readme(), re.M)
    assert match, "README: no `pip install \"secretshift[migrate] @ git+...\"` line"
    return match.group(1)


def _pre_commit_config(clone: Path) -> str:
    """The README's .pre-commit-config.yaml, pointed at the local clone."""
    match = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", _readme(), re.S)
    assert match, "README: no .pre-commit-config.yaml snippet"
    return match.group(1).replace(REPO_URL, str(clone))


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walkthrough]:
    top = tmp_path_factory.mktemp("walkthrough")
    clone = _snapshot(top / "secretshift")
    requirement = _install_line()
    assert requirement.endswith(f"@{TAG}")
    venv.create(top / "venv", with_pip=True)
    user_bin = top / "venv" / "bin"
    proc = subprocess.run(
        [user_bin / "pip", "install", "-q", "--disable-pip-version-check",
         requirement.replace(REPO_URL, f"file://localhost{clone}")],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    repo = top / "shop"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(top / "pre-commit-home"),
           "PATH": f"{TEST_BIN}{os.pathsep}{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for name in ("PRE_COMMIT", "SECRETSHIFT_HASH_KEY", "VIRTUAL_ENV"):
        env.pop(name, None)
    yield Walkthrough(clone, user_bin, repo, env)


# -- the user's repository, as it was before secretshift ------------------------------------
TOKEN = github_token(19)
DB_PASSWORD = "".join(random.Random(19).choices(string.ascii_letters + string.digits, k=20))
STRIPE_KEY = "sk_live_" + "".join(random.Random(20).choices(string.ascii_letters + string.digits, k=24))


def _project(repo: Path) -> None:
    (repo / "app").mkdir()
    (repo / "app" / "__init__.py").write_text("")
    (repo / "app" / "settings.py").write_text(
        'import os\n\nDEBUG = os.environ.get("DEBUG") == "1"\n'
        'DATABASE_HOST = os.environ.get("DATABASE_HOST", "localhost")\n'
    )
    # unquoted in a .env: detect-secrets hashes only the token's `ghp` prefix here
    (repo / "ci.env").write_text(f"# CI settings\nCI_ORG=shop\nGITHUB_TOKEN={TOKEN}\nLOG_LEVEL=info\n")
    (repo / "deploy.sh").write_text(
        "#!/bin/sh\nset -eu\n"
        f"export DB_PASSWORD='{DB_PASSWORD}'\n"
        'psql "host=$DATABASE_HOST user=shop" -f migrations.sql\n'
    )


def test_1_adopt_the_detect_secrets_baseline(walk: Walkthrough) -> None:
    walk.run("git", "init", "-q", "-b", "main")
    _project(walk.repo)
    assert walk.commit("the shop").returncode == 0
    made = walk.run(TEST_BIN / "detect-secrets", "scan")
    assert made.returncode == 0, made.stderr
    document = json.loads(made.stdout)
    types = {(name, entry["type"]) for name, entries in document["results"].items() for entry in entries}
    assert ("ci.env", "GitHub Token") in types and ("deploy.sh", "Secret Keyword") in types, types
    # The team had audited its baseline: the token is real (to migrate), labelled so.
    for entry in document["results"]["ci.env"]:
        entry["is_secret"] = True
    (walk.repo / ".secrets.baseline").write_text(json.dumps(document, indent=2) + "\n")
    assert walk.commit("detect-secrets baseline", ".secrets.baseline").returncode == 0

    # `secretshift scan` finds the root baseline by itself, and accepts what detect-secrets wrote.
    scan = walk.run(walk.bin / "secretshift", "scan", ".")
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "accepted by the baseline" in scan.stderr


def test_2_install_the_hook(walk: Walkthrough) -> None:
    (walk.repo / ".pre-commit-config.yaml").write_text(_pre_commit_config(walk.clone))
    assert f"rev: {TAG}" in (walk.repo / ".pre-commit-config.yaml").read_text()
    installed = walk.run(TEST_BIN / "pre-commit", "install")
    assert installed.returncode == 0, installed.stderr
    first = walk.commit("pre-commit", ".pre-commit-config.yaml")
    assert first.returncode == 0, first.stdout + first.stderr


def test_3_unrelated_edits_pass(walk: Walkthrough) -> None:
    with (walk.repo / "deploy.sh").open("a") as script:
        script.write('echo "deployed"\n')
    proc = walk.commit("announce the deploy", "deploy.sh")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_4_a_moved_baselined_secret_passes(walk: Walkthrough) -> None:
    # The token's line is re-added (moved to the end): it is scanned, and the baseline accepts it.
    env_file = walk.repo / "ci.env"
    env_file.write_text(f"# CI settings\nCI_ORG=shop\nLOG_LEVEL=debug\nGITHUB_TOKEN={TOKEN}\n")
    proc = walk.commit("ci: debug logs", "ci.env")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_5_a_committed_secret_outside_the_baseline_is_not_the_hook_s_business(walk: Walkthrough) -> None:
    # Someone bypassed the hook once; the next unrelated edit of that file must not fail.
    (walk.repo / "worker.env").write_text(f"QUEUE=jobs\nWORKER_PASSWORD={DB_PASSWORD[::-1]}\n")
    assert walk.run("git", "add", "worker.env").returncode == 0
    assert walk.run("git", "commit", "--no-verify", "-qm", "worker").returncode == 0
    with (walk.repo / "worker.env").open("a") as env_file:
        env_file.write("CONCURRENCY=4\n")
    proc = walk.commit("more workers", "worker.env")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _commands_under(message: str, bullet: str) -> list[str]:
    """The command lines (indented 8 spaces) printed under the hint bullet starting with ``bullet``."""
    lines = message.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(bullet))
    commands = []
    for line in lines[start + 1:]:
        if line.startswith("  - ") or not line.strip():
            break
        if line.startswith(" " * 8) and not line.strip().startswith("#"):
            commands.append(line.strip())
    return commands


def test_6_a_new_secret_is_blocked_and_the_printed_fixes_work(walk: Walkthrough) -> None:
    (walk.repo / "app" / "payments.py").write_text(
        f'import os\n\nSTRIPE_KEY = "{STRIPE_KEY}"\n'
        'CURRENCY = os.environ.get("CURRENCY", "eur")\n'
    )
    blocked = walk.commit("payments", "app/payments.py")
    assert blocked.returncode != 0
    message = blocked.stdout + blocked.stderr  # git commit shows the hook output on stderr
    assert "app/payments.py:3" in message and STRIPE_KEY[:12] not in message
    # pre-commit's environment is not on the user's PATH: the fixes say so and use pre-commit.
    accept = _commands_under(message, "- accept it")
    assert accept[0] == "pre-commit run secretshift-baseline --hook-stage manual", message
    plan = _commands_under(message, "- move it")
    assert any(line.startswith("pipx install ") for line in plan), message

    for line in accept:  # exactly as printed, without secretshift on the PATH
        ran = walk.shell(line)
        assert ran.returncode == 0 or "files were modified by this hook" in ran.stdout, ran.stdout + ran.stderr
    passed = walk.run("git", "commit", "-m", "payments")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # The labels the team gave survive the update; the token's entry now holds its full hash.
    document = json.loads((walk.repo / ".secrets.baseline").read_text())
    token_entries = document["results"]["ci.env"]
    assert [e["is_secret"] for e in token_entries] == [True], token_entries
    assert "app/payments.py" in document["results"]

    # The migration command, as printed, with secretshift installed as the README says.
    planned = walk.shell(next(line for line in plan if line.startswith("secretshift migrate plan")),
                         path=walk.bin)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "STRIPE_KEY" in planned.stdout
