"""The real CLI over a real git repository holding a live, a dead and an unverifiable credential:
`scan --validate`, `--only-valid`, `ci --validate` (the job summary) and `migrate plan --validate`."""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git
from tests.fakes import github_token, private_key
from tests.validate.providers import MockProviders


def slack_bot_token(seed: int) -> str:
    rng = random.Random(f"xoxb{seed}")
    digits = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    tail = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
    return f"xoxb-{digits(12)}-{digits(13)}-{tail}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small service: settings module, a .env for local runs, a deploy key; two commits."""
    root = tmp_path / "service"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("# billing service\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    (root / "app").mkdir()
    (root / "app" / "settings.py").write_text(
        '"""Settings for the billing service."""\nimport os\n\n'
        f'GITHUB_TOKEN = "{github_token(3)}"  # release bot\n'
        'DEBUG = os.environ.get("DEBUG") == "1"\n'
    )
    (root / ".env").write_text(f"# local development\nSLACK_BOT_TOKEN={slack_bot_token(5)}\nPORT=8080\n")
    (root / "deploy").mkdir()
    (root / "deploy" / "id_rsa").write_text(private_key(9) + "\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "settings")
    return root


def _scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["scan", "--no-git", "--format", "json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def _by_rule(document: dict[str, object]) -> dict[str, dict[str, object]]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {f["rule"]: f for f in findings}


def test_scan_validate_marks_live_dead_and_unknown(providers: MockProviders, repo: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    code, document, err = _scan_json(capsys, "--validate", str(repo))
    assert code == 1
    found = _by_rule(document)
    github, slack, key = found["github-token"], found["slack-bot-token"], found["private-key"]
    assert github["validation"]["status"] == "valid"  # type: ignore[index]
    assert github["validation"]["identity"] == {"login": "octo-deployer", "scopes": "repo, read:org",  # type: ignore[index]
                                                "type": "User"}
    assert github["validation"]["revoke"].startswith("https://docs.github.com/")  # type: ignore[index]
    assert slack["validation"]["status"] == "invalid"  # type: ignore[index]
    assert key["validation"]["status"] == "unknown"  # type: ignore[index]
    assert [f["rule"] for f in document["findings"]][0] == "github-token"  # type: ignore[index]  # live first
    # What it contacts is said once, before contacting it, and never names the secrets.
    assert err.count("--validate will contact") == 1
    assert "api.github.com (GitHub)" in err and "slack.com (Slack)" in err
    for secret in (github_token(3), slack_bot_token(5)):
        assert secret not in err and secret not in json.dumps(document)
    assert {s.host for s in providers.seen} == {"api.github.com", "slack.com"}


def test_only_valid_keeps_the_live_one(providers: MockProviders, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    code, document, _ = _scan_json(capsys, "--validate", "--only-valid", str(repo))
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == ["github-token"]  # type: ignore[index]
    providers.valid.clear()
    code, document, _ = _scan_json(capsys, "--validate", "--only-valid", "--validate-cache-ttl", "0", str(repo))
    assert (code, document["findings"]) == (0, [])


def test_a_rerun_is_answered_from_the_cache_which_holds_no_secret(providers: MockProviders, repo: Path,
                                                                  tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    _scan_json(capsys, "--validate", str(repo))
    asked = len(providers.seen)
    _, document, err = _scan_json(capsys, "--validate", str(repo))
    assert len(providers.seen) == asked, "the providers were asked again"
    assert "will contact" not in err
    assert _by_rule(document)["github-token"]["validation"]["status"] == "valid"  # type: ignore[index]
    import hashlib

    for path in (tmp_path / "cache").iterdir():
        data = path.read_bytes()
        for secret in (github_token(3), slack_bot_token(5)):
            assert secret.encode() not in data
            assert hashlib.sha1(secret.encode()).hexdigest().encode() not in data  # no unkeyed hash either


def test_sarif_and_text_reports_carry_the_verdict(providers: MockProviders, repo: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    assert main(["scan", "--no-git", "--format", "sarif", "--validate", str(repo)]) == 1
    sarif = json.loads(capsys.readouterr().out)
    import jsonschema

    from tests.conftest import sarif_schema

    jsonschema.validate(sarif, sarif_schema())  # the official SARIF 2.1.0 schema
    statuses = {r["ruleId"]: r["properties"]["validation"]["status"] for r in sarif["runs"][0]["results"]}
    assert statuses == {"github-token": "valid", "slack-bot-token": "invalid", "private-key": "unknown"}
    assert main(["scan", "--no-git", "--validate", str(repo)]) == 1
    text = capsys.readouterr().out
    assert "[valid: login=octo-deployer, scopes=repo, read:org, type=User]" in text
    assert "slack-bot-token" in text and "[invalid]" in text


def test_ci_summary_lists_live_secrets_first_with_how_to_revoke(providers: MockProviders, repo: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output.txt"))
    monkeypatch.chdir(repo)
    base = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    code = main(["ci", "--repo", str(repo), "--base", base, "--head", "HEAD", "--validate", "--format", "json"])
    assert code == 1
    capsys.readouterr()
    rows = [line for line in summary.read_text().splitlines() if line.startswith("| new")]
    assert ["github-token" in rows[0], "private-key" in rows[1], "slack-bot-token" in rows[2]] == [True] * 3, rows
    assert "**valid**" in rows[0] and "login=octo-deployer" in rows[0] and "**invalid**" in rows[2]
    text = summary.read_text()
    assert "- GitHub: https://docs.github.com/" in text
    assert github_token(3) not in text


def test_migrate_plan_says_what_to_rotate_first(providers: MockProviders, repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    monkeypatch.chdir(repo)
    assert main(["migrate", "plan", "--validate", "."]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Rotate first"):]
    order = [line.split()[0] for line in section.splitlines()[1:4]]
    assert order == ["valid", "unknown", "invalid"], section
    assert "in git history" in section.splitlines()[1]
    assert "GitHub: https://docs.github.com/" in section
    assert main(["migrate", "plan", "--validate", "--only-valid", "."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("plan: 1 secret(s), 1 reference(s) in 1 file(s)"), out
    assert "app/settings.py" in out and "SLACK_BOT_TOKEN" not in out


@pytest.mark.parametrize("argv", [
    ["scan", "--only-valid", "."],
    ["scan", "--validate-network-services", "."],
    ["scan", "--staged", "--validate"],
    ["scan", "--validate", "--validate-cache-ttl", "-1", "."],
    ["migrate", "plan", "--only-valid", "."],
])
def test_validation_flag_mistakes_are_usage_errors(argv: list[str], repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo)
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "gitlab"])
def test_every_report_format_shows_the_verdict(fmt: str, providers: MockProviders, repo: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    assert main(["scan", "--no-git", "--format", fmt, "--validate", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "[valid: login=octo-deployer" in out and "[invalid]" in out and "[unknown: no validator" in out
    assert github_token(3) not in out


def test_the_commit_hook_never_validates(providers: MockProviders, repo: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from secretshift.hooks.detect import main as hook_main

    providers.valid.add(github_token(3))
    monkeypatch.chdir(repo)
    assert hook_main(["--validate", "app/settings.py"]) == 2
    assert main(["scan", "--staged", "--validate"]) == 2
    assert providers.seen == []
    capsys.readouterr()


@pytest.mark.subprocess
def test_the_installed_cli_validates(providers: MockProviders, repo: Path) -> None:
    from tests.conftest import run_cli

    providers.valid.add(github_token(3))
    done = run_cli("scan", "--validate", "--only-valid", "--format", "json", ".", cwd=repo)
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule"], finding["validation"]["status"]) == ("github-token", "valid")
    assert done.stderr.count("--validate will contact") == 1


def test_history_findings_read_their_neighbours_from_the_commit(providers: MockProviders, repo: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A Shopify token added and removed again: its shop's domain is read from that commit's blob."""
    import secrets as random_bytes

    token = "shpat_" + random_bytes.token_hex(16)
    (repo / "shop.env").write_text(f"SHOPIFY_SHOP=acme-store.myshopify.com\nSHOPIFY_ACCESS_TOKEN={token}\n")
    git(repo, "add", "shop.env")
    git(repo, "commit", "-qm", "shop")
    git(repo, "rm", "-q", "shop.env")
    git(repo, "commit", "-qm", "oops")
    providers.valid.add(token)
    assert main(["scan", "--history", "--validate", "--format", "json", str(repo)]) == 1
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "shopify-access-token"]
    assert [f["validation"]["status"] for f in found] == ["valid"]
    assert found[0]["validation"]["identity"]["shop"] == "acme-store.myshopify.com"
    assert any(s.host == "acme-store.myshopify.com" for s in providers.seen)
