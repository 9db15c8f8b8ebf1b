"""AWS robustness: each failure class gives a clear message naming the secret and the permission,
and nothing is half-done (no file touched); faults injected at the HTTP level."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.aws_faults import Fault, faulty_endpoint
from tests.conftest import run_cli
from tests.migrate_repo import SampleRepo, make_sample_repo, write_plan


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


@pytest.fixture
def planned(git_repo: Path, tmp_path: Path) -> tuple[SampleRepo, Path]:
    repo = make_sample_repo(git_repo)
    plan_file = write_plan(repo.root, tmp_path / "plan.json")
    return repo, plan_file


CASES = [
    pytest.param(Fault("CreateSecret", "AccessDeniedException"),
                 ["access denied while creating secret 'billing/prod/env'", "secretsmanager:CreateSecret"],
                 id="access-denied"),
    pytest.param(Fault("DescribeSecret", "ThrottlingException"),
                 ["AWS throttled secretsmanager:DescribeSecret while describing secret 'billing/prod/env'",
                  "retries (botocore standard mode) ran out"],
                 id="throttling"),
    pytest.param(Fault("CreateSecret", "ExpiredTokenException"),
                 ["AWS credentials expired or invalid while creating secret 'billing/prod/env'",
                  "secretsmanager:CreateSecret"],
                 id="expired-credentials"),
    pytest.param(Fault("CreateSecret", "KMSDisabledException"),
                 ["KMS refused the AWS managed KMS key (aws/secretsmanager) while creating secret 'billing/prod/env'",
                  "kms:GenerateDataKey and kms:Decrypt"],
                 id="kms-disabled"),
    pytest.param(Fault("CreateSecret", "EncryptionFailure"),
                 ["KMS refused", "secret 'billing/prod/env'", "kms:GenerateDataKey"],
                 id="kms-encryption-failure"),
    pytest.param(Fault("CreateSecret", ""),
                 ["network failure: cannot reach AWS", "creating secret 'billing/prod/env'",
                  "secretsmanager:CreateSecret"],
                 id="network-failure"),
]


@pytest.mark.parametrize(("fault", "expected"), CASES)
def test_each_aws_failure_is_explained_and_nothing_is_written(
    planned: tuple[SampleRepo, Path], asm: str, fault: Fault, expected: list[str]
) -> None:
    repo, plan_file = planned
    before = _tree(repo.root)
    with faulty_endpoint(asm, fault) as (url, calls):
        result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--yes", cwd=repo.root)
    assert result.returncode == 2, result.stdout
    for text in expected:
        assert text in result.stderr
    assert "no file was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(repo.root) == before
    for value in repo.values.values():
        assert value not in result.stdout + result.stderr
    if fault.code in ("ThrottlingException", ""):
        assert calls[fault.operation] == 3  # botocore standard mode: three attempts


def test_a_failure_midway_keeps_files_and_a_rerun_converges(planned: tuple[SampleRepo, Path], asm: str) -> None:
    repo, plan_file = planned
    before = _tree(repo.root)
    with faulty_endpoint(asm, Fault("CreateSecret", "AccessDeniedException", first=2)) as (url, _):
        failed = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--yes", cwd=repo.root)
    assert failed.returncode == 2
    assert "access denied while creating secret 'billing/prod/DEPLOY_TOKEN'" in failed.stderr
    assert "already done in ASM: billing/prod/env (a re-run converges)" in failed.stderr
    assert _tree(repo.root) == before
    rerun = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=repo.root)
    assert rerun.returncode == 0, rerun.stderr
    assert "secret billing/prod/env: reused" in rerun.stdout
    assert "secret billing/prod/DEPLOY_TOKEN: created" in rerun.stdout


def test_one_throttled_call_is_retried_and_succeeds(planned: tuple[SampleRepo, Path], asm: str) -> None:
    repo, plan_file = planned
    with faulty_endpoint(asm, Fault("CreateSecret", "ThrottlingException", first=1, last=1)) as (url, calls):
        result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--yes", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert calls["CreateSecret"] == 3  # 1 throttled + retry for the first secret, 1 for the second
    client = boto3.client("secretsmanager", endpoint_url=asm, region_name="us-east-1")
    assert json.loads(client.get_secret_value(SecretId="billing/prod/DEPLOY_TOKEN")["SecretString"]) == {
        "DEPLOY_TOKEN": repo.values["deploy"]}


def test_kms_refusing_to_decrypt_an_existing_secret_names_it(planned: tuple[SampleRepo, Path], asm: str) -> None:
    repo, plan_file = planned
    client = boto3.client("secretsmanager", endpoint_url=asm, region_name="us-east-1")
    client.create_secret(Name="billing/prod/env", SecretString="{}",  # ours, from an earlier run
                         Tags=[{"Key": "managed-by", "Value": "secretshift"}, {"Key": "source-repo", "Value": repo.root.name}])
    before = _tree(repo.root)
    with faulty_endpoint(asm, Fault("GetSecretValue", "DecryptionFailure")) as (url, _):
        result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--yes", cwd=repo.root)
    assert result.returncode == 2
    assert "KMS refused the AWS managed KMS key (aws/secretsmanager) while reading secret 'billing/prod/env'" in result.stderr
    assert "kms:Decrypt" in result.stderr and "no file was changed" in result.stderr
    assert _tree(repo.root) == before


@pytest.mark.parametrize(("extra", "env", "expected"), [
    pytest.param(["--profile", "nope"], {}, "AWS profile 'nope' not found", id="unknown-profile"),
    pytest.param([], {"AWS_REGION": None, "AWS_DEFAULT_REGION": None}, "no AWS region", id="no-region"),
    pytest.param([], {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None,
                      "AWS_EC2_METADATA_DISABLED": "true"}, "no usable AWS credentials", id="no-credentials"),
])
def test_local_aws_configuration_problems_are_one_line(
    planned: tuple[SampleRepo, Path], asm: str, extra: list[str], env: dict[str, str | None], expected: str
) -> None:
    import os
    import subprocess
    import sys

    repo, plan_file = planned
    before = _tree(repo.root)
    environment = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    result = subprocess.run(
        [sys.executable, "-m", "secretshift", "migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", *extra],
        cwd=repo.root, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert _tree(repo.root) == before
