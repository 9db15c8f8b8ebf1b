"""`--aws`: the live account, against moto's server on 127.0.0.1 (read-only calls)."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.adr.conftest import violations

PUBLIC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
ORG_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
WIDE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
NARROW = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-??????"}]}
MANUAL_30 = [{"Key": "rotation-period-days", "Value": "30"}, {"Key": "rotation-mode", "Value": "manual"}]


def _client(name: str, endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(name, endpoint_url=endpoint, region_name="us-east-1")


def _account(endpoint: str) -> None:
    sm = _client("secretsmanager", endpoint)
    sm.create_secret(Name="app/undocumented", SecretString="x")
    sm.create_secret(Name="app/manual", SecretString="x", Tags=MANUAL_30)
    sm.create_secret(Name="app/yearly", SecretString="x",
                     Tags=[{"Key": "rotation-period-days", "Value": "365"}, {"Key": "rotation-mode", "Value": "manual"}])
    sm.create_secret(Name="app/public", SecretString="x", Tags=MANUAL_30)
    sm.put_resource_policy(SecretId="app/public", ResourcePolicy=json.dumps(PUBLIC))
    sm.create_secret(Name="app/org", SecretString="x", Tags=MANUAL_30)
    sm.put_resource_policy(SecretId="app/org", ResourcePolicy=json.dumps(ORG_ONLY))
    eks = _client("eks", endpoint)
    eks.create_cluster(name="plain", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={})
    eks.create_cluster(name="sealed", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={},
                       encryptionConfig=[{"resources": ["secrets"],
                                          "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}])
    iam = _client("iam", endpoint)
    iam.create_policy(PolicyName="ops-wide", PolicyDocument=json.dumps(WIDE))
    iam.create_policy(PolicyName="app-read", PolicyDocument=json.dumps(NARROW))


def test_live_account_violations(adr, asm: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _account(asm)
    code, out, err = adr("check", str(tmp_path), "--aws", "--endpoint-url", asm, "--region", "us-east-1", "--format", "json")
    assert code == 1, err
    found = sorted((v["check"], v["resource"]) for v in violations(out))
    assert found == [
        ("eks-secrets-encryption", "plain"),
        ("iam-kms-decrypt-wildcard", "ops-wide"),
        ("iam-secret-read-wildcard-resource", "ops-wide"),
        ("iam-secretsmanager-wildcard-action", "ops-wide"),
        ("rotation-period-too-long", "app/yearly"),
        ("secret-policy-public", "app/public"),
        ("secret-rotation-undocumented", "app/undocumented"),
    ]
    for v in violations(out):
        assert v["line"] == 0 and str(v["path"]).startswith("arn:aws:")


def test_live_overdue_manual_rotation(asm: str) -> None:
    import datetime as dt

    from secretshift.adr.live import check_account
    from secretshift.adr.settings import AdrSettings

    _client("secretsmanager", asm).create_secret(Name="app/manual", SecretString="x", Tags=MANUAL_30)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=45)
    found = check_account(AdrSettings(), region="us-east-1", endpoint_url=asm, now=later)
    assert [(v.check, v.resource) for v in found] == [("secret-rotation-overdue", "app/manual")]
    assert check_account(AdrSettings(), region="us-east-1", endpoint_url=asm) == []


def test_live_sarif_validates(adr, asm: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    from tests.conftest import sarif_schema

    _client("eks", asm).create_cluster(name="plain", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={})
    code, out, _ = adr("check", str(tmp_path), "--aws", "--endpoint-url", asm, "--region", "us-east-1", "--format", "sarif")
    document = json.loads(out)
    jsonschema.validate(document, sarif_schema())
    assert code == 1 and document["runs"][0]["results"][0]["properties"]["clause"] == 6


def test_live_exceptions_apply(adr, asm: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _client("eks", asm).create_cluster(name="legacy", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secretshift.adr]\n[[tool.secretshift.adr.exceptions]]\ncheck = "eks-secrets-encryption"\n'
        'path = "arn:aws:eks:*"\nresource = "legacy"\nreason = "retired next quarter"\nexpires = 2099-01-01\n')
    code, out, _ = adr("check", str(tmp_path), "--aws", "--endpoint-url", asm, "--region", "us-east-1")
    assert code == 0 and "1 covered by exceptions" in out


def test_unreachable_endpoint_is_a_clear_error(adr, asm: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = adr("check", str(tmp_path), "--aws", "--endpoint-url", f"http://127.0.0.1:{port}", "--region", "us-east-1")
    assert code == 2 and "--aws: cannot reach" in err and out == ""


@pytest.mark.parametrize("missing", ["region"])
def test_live_needs_a_region(adr, asm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    code, _, err = adr("check", str(tmp_path), "--aws", "--endpoint-url", asm)
    assert code == 2 and "--aws needs a region" in err
