"""SECRETSHIFT_HASH_KEY is read once, when the config is loaded, and passed down: findings carry
the hash made with it, and nothing reads the environment per finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.config import Config, load_config
from secretshift.hashing import HASH_KEY_ENV, hash_value
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from tests.fakes import aws_key_id

KEY = "k" * 24
SECRET = aws_key_id(81)


def test_findings_keep_the_hash_of_the_key_the_run_started_with(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    config = load_config(None, tmp_path)
    monkeypatch.delenv(HASH_KEY_ENV)  # whatever happens to the environment later does not matter
    [finding] = build_engine(config).scan(Blob("settings.py", f'AWS_KEY = "{SECRET}"\n'.encode()))
    expected = hash_value(SECRET, KEY.encode())
    assert expected.startswith("hmac-sha256:")
    assert finding.secret_hash == expected
    assert finding.to_dict()["secret_hash"] == expected
    assert finding.identity == ("settings.py", "aws-access-key-id", expected)


def test_without_a_key_hashes_are_detect_secrets_sha1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HASH_KEY_ENV, raising=False)
    [finding] = build_engine(load_config(None, tmp_path)).scan(Blob("a.py", f'AWS_KEY = "{SECRET}"\n'.encode()))
    assert finding.secret_hash == __import__("hashlib").sha1(SECRET.encode()).hexdigest()


def test_the_key_never_shows_in_the_configs_repr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    config = load_config(None, tmp_path)
    assert config.hash_key == KEY.encode()
    assert KEY not in repr(config) and KEY not in repr(Config(hash_key=KEY.encode()))
