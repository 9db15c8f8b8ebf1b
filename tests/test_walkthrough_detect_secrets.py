"""Adopting a baseline detect-secrets 1.5.0 wrote: every secret it recorded is accepted as it
is, whatever detect-secrets hashed (for GitHub and GitLab tokens only the prefix; for Azure keys
the `AccountKey=` with it; for JWTs the part before the signature; for private keys the header),
and `baseline update` keeps the team's labels while rewriting such entries with the whole hash."""
from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git
from tests.fakes import github_token, private_key

DETECT_SECRETS = str(Path(sys.executable).parent / "detect-secrets")
_ALNUM = string.ascii_letters + string.digits


def _word(rng: random.Random, size: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _team_repository(repo: Path) -> dict[str, str]:
    """Files as a team has them, each holding one secret detect-secrets reports; returns
    file -> the detect-secrets type expected there."""
    rng = random.Random(1919)
    azure_key = base64.b64encode(bytes(rng.randrange(256) for _ in range(64))).decode()
    jwt = ".".join((_b64url('{"alg":"HS256","typ":"JWT"}'),
                    _b64url('{"sub":"' + _word(rng, 8) + '","iat":1700000000}'), _word(rng, 43)))
    files = {
        # unquoted, so only detect-secrets' GitHub plugin sees it (it hashes `ghp`)
        "deploy/ci.env": (f"# CI\nGITHUB_TOKEN={github_token(7)}\nREGION=eu-west-1\n", "GitHub Token"),
        "deploy/gitlab.env": (f"GITLAB_TOKEN=glpat-{_word(rng, 20)}\n", "GitLab Token"),
        "config/storage.ini": (
            "[storage]\nconnection = DefaultEndpointsProtocol=https;AccountName=shopfiles;"
            f"AccountKey={azure_key};EndpointSuffix=core.windows.net\n", "Azure Storage Account access key"),
        "tests/fixtures/session.txt": (f"Authorization: Bearer {jwt}\n", "JSON Web Token"),
        "keys/deploy_key.pem": (private_key(19) + "\n", "Private Key"),
        "app/settings.py": (f'DB_PASSWORD = "{_word(rng, 18)}"\n', "Secret Keyword"),
    }
    for name, (text, _) in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    return {name: kind for name, (_, kind) in files.items()}


@pytest.fixture
def adopted(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    monkeypatch.delenv("SECRETSHIFT_HASH_KEY", raising=False)
    expected = _team_repository(git_repo)
    made = subprocess.run([DETECT_SECRETS, "scan"], cwd=git_repo, capture_output=True, text=True, check=True)
    document = json.loads(made.stdout)
    found = {(name, e["type"]) for name, entries in document["results"].items() for e in entries}
    assert set(expected.items()) <= found, found
    for entries in document["results"].values():  # audited: every one of them is real
        for entry in entries:
            entry["is_secret"] = True
    (git_repo / ".secrets.baseline").write_text(json.dumps(document, indent=2) + "\n")
    monkeypatch.chdir(git_repo)
    return git_repo, expected


def test_what_detect_secrets_hashed_is_not_always_the_secret(adopted: tuple[Path, dict[str, str]]) -> None:
    """The premise, checked on the real tool: for a GitHub token it hashes the prefix."""
    repo, _ = adopted
    document = json.loads((repo / ".secrets.baseline").read_text())
    github = next(e for e in document["results"]["deploy/ci.env"] if e["type"] == "GitHub Token")
    assert github["hashed_secret"] == hashlib.sha1(b"ghp").hexdigest()


def test_scan_accepts_every_secret_detect_secrets_baselined(adopted: tuple[Path, dict[str, str]],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    repo, expected = adopted
    assert main(["scan", "--format", "json", "."]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    accepted = {f["path"] for f in report["accepted"]}  # labelled real: accepted, still to migrate
    assert accepted == set(expected), accepted


def test_update_keeps_labels_and_writes_whole_hashes(adopted: tuple[Path, dict[str, str]],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo, expected = adopted
    assert main(["baseline", "update"]) == 0
    document = json.loads((repo / ".secrets.baseline").read_text())
    for name, kind in expected.items():
        entries = [e for e in document["results"].get(name, []) if e["type"] == kind]
        assert entries and all(e["is_secret"] is True for e in entries), (name, document["results"].get(name))
    prefix_hash = hashlib.sha1(b"ghp").hexdigest()
    assert all(e["hashed_secret"] != prefix_hash for e in document["results"]["deploy/ci.env"])
    # ... and the rewritten baseline still accepts everything, hook included.
    assert main(["scan", "."]) == 0
    git(repo, "add", "-A")
    assert main(["hook", *expected]) == 0
    capsys.readouterr()


def test_a_prefix_hash_only_covers_its_own_file(adopted: tuple[Path, dict[str, str]],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = adopted
    (repo / "deploy" / "release.env").write_text(f"GITHUB_TOKEN={github_token(8)}\n")
    git(repo, "add", "deploy/release.env")
    assert main(["hook", "deploy/release.env"]) == 1
    assert "deploy/release.env:1" in capsys.readouterr().out
