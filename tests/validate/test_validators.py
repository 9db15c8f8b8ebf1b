"""Every declared HTTP validator against its provider, mocked on 127.0.0.1: valid, invalid, revoked,
rate-limited, timeout and TLS error. The secrets come from scanning realistic sample files."""
from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretshift.config import Config
from secretshift.models import Finding
from secretshift.pipeline import scan_paths
from secretshift.validate.registry import load_validators
from secretshift.validate.runner import ValidateOptions, validate_findings
from secretshift.validate.safety import TEST_URL_ENV
from tests.validate.providers import MockProviders, answers_for, running
from tests.validate.samples import ELSEWHERE, finding_of, write_samples

VALIDATORS = load_validators()
HTTP_RULES = sorted(rule for rule in VALIDATORS if rule not in ELSEWHERE)
REVOCABLE = sorted(rule for rule in HTTP_RULES if VALIDATORS[rule].revoked)
FAST = ValidateOptions(timeout=2.0, concurrency=8, cache_ttl=0)


@pytest.fixture(scope="module")
def samples_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("samples")
    write_samples(root, HTTP_RULES)
    return root


@pytest.fixture(scope="module")
def sample_findings(samples_root: Path) -> list[Finding]:
    return scan_paths([str(samples_root)], Config(), use_git=False, jobs=1).findings


def _validate(findings: list[Finding], root: Path, options: ValidateOptions = FAST) -> list[Finding]:
    def text_of(finding: Finding) -> str:  # finding paths are relative to the scanned folder
        return (root / finding.path).read_text(encoding="utf-8")

    return validate_findings(findings, options, text_of=text_of, notice=lambda _: None, validators=VALIDATORS)


def _one(sample_findings: list[Finding], rule: str) -> list[Finding]:
    """The rule's finding plus the rest of its file (a paired rule needs its companion)."""
    mine = finding_of(sample_findings, rule)
    folder = mine.path.rsplit("/", 1)[0]
    return [mine] + [f for f in sample_findings if f is not mine and f.path.startswith(folder + "/")]


def test_at_least_thirty_providers_are_declared() -> None:
    providers = {spec.provider for spec in VALIDATORS.values()}
    assert len(providers) >= 30, sorted(providers)
    for required in ("AWS", "GitHub", "GitLab", "Slack", "Stripe", "OpenAI", "Anthropic", "npm", "PyPI", "Docker",
                     "Datadog", "Hugging Face", "Google", "Microsoft", "Atlassian", "Shopify", "DigitalOcean",
                     "Heroku", "Cloudflare", "Mailgun", "Postmark", "Telegram", "Discord", "Sentry", "Grafana",
                     "Notion", "Linear", "Twilio", "Twilio SendGrid", "Database"):
        assert required in providers


@pytest.mark.parametrize("rule", HTTP_RULES)
def test_a_live_secret_is_valid_and_says_whose_it_is(providers: MockProviders, sample_findings: list[Finding],
                                                     samples_root: Path, rule: str) -> None:
    findings = _one(sample_findings, rule)
    secret = findings[0].secret.reveal()
    providers.valid.add(secret)
    providers.azure_keys["acmeprod"] = secret
    validation = _validate(findings, samples_root)[0].validation
    assert validation is not None
    assert (validation.status, rule) == ("valid", rule), validation.reason
    assert validation.revoke.startswith("https://")
    spec = VALIDATORS[rule]
    host = providers.seen[0].host
    assert any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in spec.hosts), host
    if spec.identity:
        assert validation.identity, f"{rule}: the provider's answer named the owner, the validation did not"
    for _, value in validation.identity:
        assert secret not in value


@pytest.mark.parametrize("rule", HTTP_RULES)
def test_an_unknown_secret_is_invalid(providers: MockProviders, sample_findings: list[Finding], samples_root: Path,
                                      rule: str) -> None:
    validation = _validate(_one(sample_findings, rule), samples_root)[0].validation
    assert validation is not None
    assert (validation.status, rule) == ("invalid", rule), validation.reason
    assert validation.identity == ()


@pytest.mark.parametrize("rule", REVOCABLE)
def test_a_revoked_secret_is_revoked(providers: MockProviders, sample_findings: list[Finding], samples_root: Path,
                                     rule: str) -> None:
    findings = _one(sample_findings, rule)
    providers.revoked.add(findings[0].secret.reveal())
    validation = _validate(findings, samples_root)[0].validation
    assert validation is not None
    assert (validation.status, rule) == ("revoked", rule), validation.reason


def test_every_provider_of_the_mock_is_reached(providers: MockProviders, sample_findings: list[Finding],
                                               samples_root: Path) -> None:
    _validate(sample_findings, samples_root)
    for seen in providers.seen:
        assert answers_for(seen.host, seen.path) is not None, f"{seen.host}{seen.path} is not a documented endpoint"


def _statuses(findings: list[Finding]) -> dict[str, tuple[str, str]]:
    out = {}
    for rule in HTTP_RULES:
        finding = finding_of(findings, rule)
        validation = finding.validation
        assert validation is not None
        assert finding.secret.reveal() not in validation.reason  # an error never echoes the secret
        out[rule] = (validation.status, validation.reason)
    return out


def test_rate_limited_answers_are_errors_not_verdicts(providers: MockProviders, sample_findings: list[Finding],
                                                     samples_root: Path) -> None:
    providers.mode = "rate-limited"
    for rule, (status, reason) in _statuses(_validate(sample_findings, samples_root)).items():
        assert status == "error" and "rate limited" in reason, (rule, status, reason)


def test_a_slow_provider_times_out(providers: MockProviders, sample_findings: list[Finding], samples_root: Path) -> None:
    providers.mode, providers.delay = "slow", 1.5
    options = ValidateOptions(timeout=0.3, concurrency=16, cache_ttl=0)
    for rule, (status, reason) in _statuses(_validate(sample_findings, samples_root, options)).items():
        assert status == "error" and "timed out" in reason, (rule, status, reason)


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate no CA signed, made here for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@pytest.fixture
def tls_providers(monkeypatch: pytest.MonkeyPatch, self_signed: ssl.SSLContext, tmp_path: Path) -> Iterator[MockProviders]:
    state = MockProviders()
    for url in running(state, self_signed):
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setenv(TEST_URL_ENV, url)
        monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path / "cache"))
        yield state


def test_an_untrusted_certificate_is_a_tls_error(tls_providers: MockProviders, sample_findings: list[Finding],
                                                samples_root: Path) -> None:
    tls_providers.valid.update(f.secret.reveal() for f in sample_findings)  # even a "live" secret
    options = ValidateOptions(timeout=10.0, concurrency=8, cache_ttl=0)  # a loaded machine is slow, not wrong
    for rule, (status, reason) in _statuses(_validate(sample_findings, samples_root, options)).items():
        assert status == "error" and "TLS verification failed" in reason, (rule, status, reason)
    assert tls_providers.seen == [], "a request went through an unverified TLS connection"


@pytest.mark.parametrize("rule, secret, status, body, identity", [
    # A restricted Stripe key that may not read the account is still a working key (HTTP 403).
    ("stripe-restricted-key", "rk_live_abc", 403, {"error": {"type": "invalid_request_error"}}, {"mode": "live"}),
    ("stripe-secret-key", "sk_test_abc", 200, {"id": "acct_9"}, {"account": "acct_9", "mode": "test"}),
    # A GitHub App installation token cannot read /user, and says so: it works.
    ("github-token", "ghs_abc", 403, {"message": "Resource not accessible by integration"}, {}),
])
def test_documented_answers_that_still_mean_live(rule: str, secret: str, status: int, body: object,
                                                 identity: dict[str, str]) -> None:
    from secretshift.validate.http import Credential, classify

    outcome = classify(VALIDATORS[rule], Credential(secret), status, body, {})
    assert (outcome.status, dict(outcome.identity)) == ("valid", identity)
