"""#13 item 4 and 5: no plaintext — nor an escaped or encoded spelling of it — in `migrate plan`'s
diff, in plan.json or in the `secretshift-migrate` hook's output; with SECRETSHIFT_HASH_KEY set every
hash in plan.json is keyed; ClientRequestTokens are keyed (the version ids ASM shows)."""
from __future__ import annotations

import base64
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import git, run_cli
from tests.samples.values import password

VALUE = password("escaped", 9) + "@x"  # '@' is what YAML/JSON writers escape as \u0040


def _spellings(value: str) -> list[str]:
    escaped = "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in value)
    return [value, escaped, escaped.upper().replace("\\U", "\\u"), json.dumps(value)[1:-1],
            urllib.parse.quote(value, safe=""), base64.b64encode(value.encode()).decode(),
            value.replace("@", "\\u0040")]


@pytest.fixture
def repo(git_repo: Path) -> Path:
    mixed = VALUE.replace("@", "\\u0040")  # the file spells it with an escape
    (git_repo / "config").mkdir()
    (git_repo / "config" / "app.yaml").write_text(f'database:\n  host: db.internal\n  password: "{mixed}"\n')
    (git_repo / "settings.json").write_text(json.dumps({"db_password": VALUE}) + "\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "config")
    return git_repo


def _assert_clean(text: str) -> None:
    for spelling in _spellings(VALUE):
        assert spelling not in text, f"a spelling of the secret leaked: {spelling[:4]}..."


def test_plan_diff_plan_json_and_hook_hold_no_spelling_of_the_value(repo: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_cli("migrate", "plan", ".", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    assert "<secret" in shown.stdout
    _assert_clean(shown.stdout + shown.stderr)
    plan_file = tmp_path / "plan.json"
    written = run_cli("migrate", "plan", ".", "--out", str(plan_file), cwd=repo)
    assert written.returncode == 0, written.stderr
    _assert_clean(plan_file.read_text() + written.stdout)
    from secretshift.hooks.migrate import main as hook

    monkeypatch.chdir(repo)
    assert hook(["."]) == 0
    captured = capsys.readouterr()
    _assert_clean(captured.out + captured.err)


def test_every_hash_in_the_plan_is_keyed_when_a_key_is_set(repo: Path, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    key = {"SECRETSHIFT_HASH_KEY": "k" * 32}
    written = run_cli("migrate", "plan", ".", "--out", str(plan_file), cwd=repo, env=key)
    assert written.returncode == 0, written.stderr
    text = plan_file.read_text()
    hashes = re.findall(r'"(?:value_hash|original_sha256|planned_sha256)": "([^"]+)"', text)
    assert hashes and all(h.startswith("hmac-sha256:") for h in hashes)
    assert not re.search(r'"[0-9a-f]{64}"', text)  # no bare SHA-256 anywhere


def test_request_tokens_are_keyed_but_stable_for_one_plan() -> None:
    from secretshift.migrate.store import request_token

    document = json.dumps({"k": VALUE})
    assert request_token("a/b", document, "salt-one") == request_token("a/b", document, "salt-one")
    assert request_token("a/b", document, "salt-one") != request_token("a/b", document, "salt-two")
    import hashlib
    import uuid

    unkeyed = uuid.UUID(bytes=hashlib.sha256(f"secretshift\0a/b\0{document}".encode()).digest()[:16])
    assert request_token("a/b", document, "salt-one") != str(unkeyed)
