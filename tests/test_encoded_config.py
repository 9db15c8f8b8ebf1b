"""Decoded text is scanned with the user's configuration: a rule disabled in the config stays
disabled inside base64, an allowlisted value stays allowed, and the user's own rules run on the
decoded text too. Whatever a plain scan of a text reports, a scan of the same text base64- or
hex-encoded reports as well, and nothing more."""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from secretshift.cli import main
from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from secretshift.scanner.rules import rules_from_table
from tests.fakes import github_token

TOKEN = github_token(71)
ACME = "acme_" + "k3y9" * 6  # a made-up provider: only the user's rule knows it


def _encoded(text: str, encoding: str) -> str:
    raw = text.encode()
    return base64.b64encode(raw).decode() if encoding == "base64" else raw.hex()


def _scan(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str | None]]:
    """(rule, inner rule) of each finding, from the real CLI run in this process."""
    main(["scan", "--no-git", "--format", "json", str(folder)])
    report = json.loads(capsys.readouterr().out)
    return sorted((f["rule"], None) for f in report["findings"])


def _project(tmp_path: Path, name: str, config: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / ".secretshift.toml").write_text(config)
    (folder / "settings.yaml").write_text(text)
    return folder


CONFIGS = {
    "defaults": "",
    "github-token-disabled": 'disable = ["github-token", "generic-secret-key"]\n',
    "value-allowlisted": f'[allowlist]\nregexes = ["^{TOKEN[:12]}"]\n',
    "user-rule": (
        '[[rules]]\nid = "acme-key"\ndescription = "ACME API key"\nregex = "(?P<secret>acme_[a-z0-9]{24})"\n'
        'keywords = ["acme_"]\n'
    ),
}
PLAIN = {
    "github-token": f"token: {TOKEN}\n",
    # The key name puts a marker ("token") in the encoded run: only such runs are decoded at all.
    "acme-key": f"api_token: {ACME}\n",
}


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("secret", PLAIN, ids=list(PLAIN))
@pytest.mark.parametrize("encoding", ["base64", "hex"])
def test_decoded_text_follows_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         config: str, secret: str, encoding: str) -> None:
    text = PLAIN[secret]
    plain = _scan(_project(tmp_path, "plain", CONFIGS[config], text), capsys)
    hidden = _scan(_project(tmp_path, "encoded", CONFIGS[config], f"bootstrap: {_encoded(text, encoding)}\n"), capsys)
    assert bool(hidden) == bool(plain), (plain, hidden)
    if hidden:
        assert hidden == [("encoded-secret", None)]


def test_the_disabled_rule_of_the_issue() -> None:
    """`disable = ["github-token"]` and a base64 token: reported as a github-token inside before;
    now the inner engine has no such rule, as the outer one has not."""
    engine = build_engine(Config(disabled=frozenset({"github-token"})))
    line = f"GITHUB_TOKEN={TOKEN}\n"
    found = engine.scan(Blob("ci/vars.yaml", f"bootstrap: {_encoded(line, 'base64')}\n".encode()))
    assert "github-token" not in {f.context_value("inner_rule") for f in found}
    everything = build_engine(Config()).scan(Blob("ci/vars.yaml", f"bootstrap: {_encoded(line, 'base64')}\n".encode()))
    assert {f.context_value("inner_rule") for f in everything} == {"github-token"}


def test_the_users_rule_runs_on_decoded_text() -> None:
    config = Config(extra_rules=tuple(rules_from_table(tomllib.loads(CONFIGS["user-rule"]), "test")))
    text = f"bootstrap: {_encoded(PLAIN['acme-key'], 'base64')}\n".encode()
    found = build_engine(config).scan(Blob("ci/vars.yaml", text))
    assert [(f.rule, f.context_value("inner_rule"), f.secret.reveal()) for f in found] == [
        ("encoded-secret", "acme-key", ACME)]
