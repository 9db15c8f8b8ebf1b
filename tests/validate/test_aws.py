"""AWS key pairs against moto's server on 127.0.0.1 (through AWS's standard AWS_ENDPOINT_URL_STS),
with moto checking signatures, and the account id read offline from the key id."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretshift.config import Config
from secretshift.models import Finding
from secretshift.pipeline import scan_paths
from secretshift.validate.aws import account_from_key_id
from secretshift.validate.registry import load_validators
from secretshift.validate.runner import ValidateOptions, validate_findings
from tests.conftest import AWS_TEST_ENV, _free_port

VALIDATORS = load_validators()


@pytest.fixture(scope="module")
def moto_sts() -> Iterator[tuple[str, str, str]]:
    """moto's server in its own process, enforcing signatures after the first two calls (which
    create an IAM user and its access key). Yields (endpoint, key id, secret key)."""
    import boto3

    port = _free_port()
    env = {**os.environ, **AWS_TEST_ENV, "INITIAL_NO_AUTH_ACTION_COUNT": "2"}
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        iam.create_user(UserName="billing-deployer")
        key = iam.create_access_key(UserName="billing-deployer")["AccessKey"]
        yield endpoint, key["AccessKeyId"], key["SecretAccessKey"]
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def sts(moto_sts: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_sts[0])
    return moto_sts


def _validate(tmp_path: Path, text: str, options: ValidateOptions | None = None) -> dict[str, Finding]:
    (tmp_path / "credentials").write_text(text)
    findings = scan_paths([str(tmp_path / "credentials")], Config(), use_git=False, jobs=1).findings
    checked = validate_findings(findings, options or ValidateOptions(cache_ttl=0), notice=lambda _: None,
                                validators=VALIDATORS)
    return {f.rule: f for f in checked}


def _profile(key_id: str, secret: str) -> str:
    return f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\nregion = eu-west-1\n"


def test_a_working_key_pair_is_valid_with_account_and_arn(sts: tuple[str, str, str], tmp_path: Path) -> None:
    _, key_id, secret = sts
    found = _validate(tmp_path, _profile(key_id, secret))
    for rule in ("aws-access-key-id", "aws-secret-access-key"):
        validation = found[rule].validation
        assert validation is not None and validation.status == "valid", validation
        identity = dict(validation.identity)
        assert identity["account"] == "123456789012"
        assert identity["arn"] == "arn:aws:iam::123456789012:user/billing-deployer"


def test_a_wrong_secret_and_an_unknown_key_are_invalid(sts: tuple[str, str, str], tmp_path: Path) -> None:
    _, key_id, secret = sts
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    validation = _validate(tmp_path, _profile(key_id, wrong))["aws-secret-access-key"].validation
    assert validation is not None and validation.status == "invalid"
    assert "does not belong" in validation.reason and wrong not in validation.reason
    unknown = "AKIA" + "RZPUZDIK" + "QQQQ7777"  # split: this file holds no key-shaped literal
    validation = _validate(tmp_path, _profile(unknown, secret))["aws-access-key-id"].validation
    assert validation is not None and (validation.status, validation.reason.startswith("AWS does not know")) == (
        "invalid", True)


def test_a_lone_key_id_is_unknown_but_names_its_account_offline(sts: tuple[str, str, str], tmp_path: Path) -> None:
    _, key_id, _ = sts
    validation = _validate(tmp_path, f"aws_access_key_id = {key_id}\n")["aws-access-key-id"].validation
    assert validation is not None and validation.status == "unknown"
    assert dict(validation.identity) == {"account_from_key_id": account_from_key_id(key_id)}


def test_account_id_is_decoded_from_the_key_id_without_a_call() -> None:
    # The worked example of the published analysis: this temporary key id belongs to 609629065308.
    assert account_from_key_id("ASIA" + "Y34FZKBOKMUTVV7A") == "609629065308"
    assert account_from_key_id("AKIA" + "IOSFODNN7EXAMPLE") is None  # an old-generation id: nothing in it
    assert account_from_key_id("not a key") is None


def test_an_sts_endpoint_that_is_not_aws_is_refused(sts: tuple[str, str, str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, key_id, secret = sts
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "https://sts.attacker.test")
    validation = _validate(tmp_path, _profile(key_id, secret))["aws-secret-access-key"].validation
    assert validation is not None and validation.status == "error"
    assert validation.reason.startswith("refused: the configured STS endpoint sts.attacker.test")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts[0])
    monkeypatch.setenv("CI", "true")  # loopback is a test setting, never honoured in CI
    validation = _validate(tmp_path, _profile(key_id, secret))["aws-secret-access-key"].validation
    assert validation is not None and validation.status == "error" and "refused" in validation.reason


def test_each_profile_pairs_its_own_key_id_and_secret(sts: tuple[str, str, str], tmp_path: Path) -> None:
    """~/.aws/credentials with two profiles: each secret goes with the key id next to it."""
    _, key_id, secret = sts
    other_id = "AKIA" + "RZPUZDIK" + "M5N6P7Q2"
    other_secret = secret[::-1]
    text = _profile(key_id, secret) + "\n" + _profile(other_id, other_secret).replace("[default]", "[prod]")
    (tmp_path / "credentials").write_text(text)
    findings = scan_paths([str(tmp_path / "credentials")], Config(), use_git=False, jobs=1).findings
    checked = validate_findings(findings, ValidateOptions(cache_ttl=0), notice=lambda _: None, validators=VALIDATORS)
    verdicts = {(f.rule, f.line): f.validation.status for f in checked if f.validation is not None}
    assert verdicts == {("aws-access-key-id", 2): "valid", ("aws-secret-access-key", 3): "valid",
                        ("aws-access-key-id", 7): "invalid", ("aws-secret-access-key", 8): "invalid"}
