"""Confidence on every finding: how it is decided, shown in each report, and filtered per command.

`scan` shows everything by default (low and up); the gates (`hook`, `ci`) report medium and up
unless `--min-confidence` or the config's `min_confidence` says otherwise.
"""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from tests.conftest import git
from tests.fakes import github_token

_ALNUM = string.ascii_letters + string.digits


def _stripe(mode: str, seed: int) -> str:
    rng = random.Random(f"stripe{mode}{seed}")
    return f"sk_{mode}_" + "".join(rng.choice(_ALNUM) for _ in range(32))


def _hex(seed: int, size: int) -> str:
    rng = random.Random(f"hex{seed}")
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _scan(text: str, path: str = "settings.env", floor: str | None = None) -> dict[str, str]:
    engine = build_engine(Config(min_confidence=floor))
    return {f.rule: f.confidence for f in engine.scan(Blob(path, text.encode()))}


def test_checksummed_provider_token_is_high() -> None:
    assert _scan(f"GITHUB_TOKEN={github_token(3)}\n") == {"github-token": "high"}


def test_provider_context_rule_is_medium() -> None:
    assert _scan(f"ROLLBAR_ACCESS_TOKEN={_hex(1, 32)}\n") == {"rollbar-access-token": "medium"}


def test_stripe_test_mode_key_is_reported_low_and_live_key_high() -> None:
    assert _scan(f"STRIPE_SECRET_KEY={_stripe('test', 1)}\n") == {"stripe-test-secret-key": "low"}
    assert _scan(f"STRIPE_SECRET_KEY={_stripe('live', 1)}\n") == {"stripe-secret-key": "high"}


def test_generic_password_in_notes_is_kept_at_low() -> None:
    text = "prod db\npassword: Vq7#mZ2pLx9Rw4Tk\n"
    assert _scan(text, path="notes/ops.md") in ({"generic-password": "low"}, {})
    assert _scan(text, path="config/app.yaml") == {"generic-password": "medium"}


def test_floor_drops_lower_findings_only() -> None:
    text = f"STRIPE_SECRET_KEY={_stripe('test', 2)}\nGITHUB_TOKEN={github_token(4)}\n"
    assert set(_scan(text, floor="medium")) == {"github-token"}
    assert set(_scan(text, floor="low")) == {"github-token", "stripe-test-secret-key"}


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "billing.env").write_text(f"STRIPE_SECRET_KEY={_stripe('test', 5)}\n")
    return tmp_path


def test_scan_reports_test_keys_by_default_and_min_confidence_hides_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path)
    assert main(["scan", "--no-git", "--format", "json", str(root)]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["confidence"] == "low"
    assert main(["scan", "--no-git", "--min-confidence", "medium", str(root)]) == 0


def test_sarif_level_and_rank_follow_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tree(tmp_path)
    (root / "gh.env").write_text(f"GITHUB_TOKEN={github_token(6)}\n")
    assert main(["scan", "--no-git", "--format", "sarif", str(root)]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["github-token"]["level"] == "error" and by_rule["github-token"]["rank"] == 90.0
    assert by_rule["stripe-test-secret-key"]["level"] == "note"
    assert by_rule["stripe-test-secret-key"]["properties"]["confidence"] == "low"


def test_hook_default_is_medium_and_flag_lowers_it(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_repo / "billing.env").write_text(f"STRIPE_SECRET_KEY={_stripe('test', 7)}\n")
    git(git_repo, "add", "billing.env")
    monkeypatch.chdir(git_repo)
    assert main(["hook", "billing.env"]) == 0
    assert main(["hook", "--min-confidence", "low", "billing.env"]) == 1
    capsys.readouterr()


def test_config_min_confidence_applies_and_a_bad_value_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path)
    (root / ".secretshift.toml").write_text('min_confidence = "medium"\n')
    assert main(["scan", "--no-git", str(root)]) == 0
    (root / ".secretshift.toml").write_text('min_confidence = "certain"\n')
    assert main(["scan", "--no-git", str(root)]) == 2
    assert "min_confidence" in capsys.readouterr().err
