"""Against the local endpoint: rotation check, customer KMS keys, rotation functions, interactive."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.conftest import git, run_cli
from tests.fakes import github_token
from tests.migrate_repo import make_sample_repo, rotation_function, write_plan


def _client(endpoint: str, service: str = "secretsmanager"):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def _managed(client, name: str, days: str, mode: str = "manual") -> None:  # type: ignore[no-untyped-def]
    client.create_secret(Name=name, SecretString="{}", Tags=[
        {"Key": "managed-by", "Value": "secretshift"}, {"Key": "rotation-period-days", "Value": days},
        {"Key": "rotation-mode", "Value": mode}])


def test_rotation_check_reports_secrets_past_their_lifetime(asm: str) -> None:
    client = _client(asm)
    _managed(client, "shop/prod/short", "30")
    _managed(client, "shop/prod/long", "400")
    client.create_secret(Name="not/ours", SecretString="{}")
    fine = run_cli("rotation", "check", "--endpoint-url", asm)
    assert fine.returncode == 0, fine.stderr
    assert "ok: shop/prod/short" in fine.stdout and "not/ours" not in fine.stdout
    later = run_cli("rotation", "check", "--endpoint-url", asm, "--as-of", "2999-01-01")
    assert later.returncode == 1
    assert "overdue: shop/prod/short" in later.stdout and "overdue: shop/prod/long" in later.stdout
    assert "2 secret(s), 2 overdue" in later.stdout
    # After a manual rotation (a new current version) the check still reads the secret cleanly.
    client.put_secret_value(SecretId="shop/prod/short", SecretString='{"k": "rotated"}')
    rotated = run_cli("rotation", "check", "--endpoint-url", asm)
    assert "ok: shop/prod/short" in rotated.stdout
    bad = run_cli("rotation", "check", "--endpoint-url", asm, "--as-of", "yesterday")
    assert bad.returncode == 2 and "--as-of" in bad.stderr


def _configure(root: Path, extra: str) -> None:
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + extra)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "config")


def test_customer_kms_key_is_used_and_granted_with_via_service(git_repo: Path, asm: str, tmp_path: Path) -> None:
    key = _client(asm, "kms").create_key(Description="secretshift test")["KeyMetadata"]
    repo = make_sample_repo(git_repo)
    _configure(repo.root, f'kms_key_id = "{key["KeyId"]}"\n')
    plan_file = write_plan(repo.root, tmp_path / "plan.json")
    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=repo.root)
    assert applied.returncode == 0, applied.stderr
    described = _client(asm).describe_secret(SecretId="billing/prod/env")
    assert key["KeyId"] in described["KmsKeyId"]
    policy = json.loads((repo.root / "docs" / "secretshift-iam-policy-app-runtime.json").read_text())
    kms = policy["Statement"][1]
    assert kms["Action"] == "kms:Decrypt" and kms["Resource"] == [key["Arn"]]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


def test_managed_rotation_is_refused_at_plan_time_naming_where_aws_offers_it(git_repo: Path) -> None:
    repo = make_sample_repo(git_repo)
    _configure(repo.root, '[tool.secretshift.migrate.rotation.rule.github-token]\ndays = 30\nlambda = "managed"\n')
    planned = run_cli("migrate", "plan", ".", cwd=repo.root)
    assert planned.returncode == 2
    assert '"managed" rotation is not possible here' in planned.stderr
    assert "RDS and Aurora" in planned.stderr and "rotation Lambda" in planned.stderr


def test_lambda_rotation_is_enabled_instead_of_a_runbook(git_repo: Path, asm: str, tmp_path: Path) -> None:
    arn = rotation_function(asm)
    repo = make_sample_repo(git_repo)
    _configure(repo.root, f'[tool.secretshift.migrate.rotation.rule.github-token]\ndays = 30\nlambda = "{arn}"\n')
    plan_file = write_plan(repo.root, tmp_path / "plan.json")
    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=repo.root)
    assert applied.returncode == 0, applied.stderr
    client = _client(asm)
    described = client.describe_secret(SecretId="billing/prod/DEPLOY_TOKEN")
    assert described["RotationEnabled"] is True
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert described["RotationLambdaARN"] == arn
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags["rotation-mode"] == "lambda" and tags["rotation-period-days"] == "30"
    assert json.loads(client.get_secret_value(SecretId="billing/prod/DEPLOY_TOKEN")["SecretString"]) == {
        "DEPLOY_TOKEN": repo.values["deploy"]}
    # Both secrets hold a github-token (the .env one too), so both rotate automatically: no runbook.
    assert not (repo.root / "docs" / "secret-rotation.md").exists()
    versions = len(client.list_secret_version_ids(SecretId="billing/prod/DEPLOY_TOKEN")["Versions"])
    again = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=repo.root)
    assert again.returncode == 0, again.stderr
    assert len(client.list_secret_version_ids(SecretId="billing/prod/DEPLOY_TOKEN")["Versions"]) == versions


def test_a_missing_rotation_function_is_named(git_repo: Path, asm: str, tmp_path: Path) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-github"
    repo = make_sample_repo(git_repo)
    _configure(repo.root, f'[tool.secretshift.migrate.rotation.rule.github-token]\nlambda = "{arn}"\n')
    plan_file = write_plan(repo.root, tmp_path / "plan.json")
    before = (repo.root / ".env").read_text()
    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=repo.root)
    assert applied.returncode == 2
    assert f"the rotation function {arn} does not exist" in applied.stderr
    assert "enabling rotation for secret 'billing/prod/env'" in applied.stderr
    assert (repo.root / ".env").read_text() == before


def test_interactive_walkthrough_from_stdin(git_repo: Path, asm: str) -> None:
    (git_repo / "a.py").write_text(f'TOKEN = "{github_token(21)}"\nOTHER = "{github_token(22)}"\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "init")
    # first finding: migrate; second: allow; then apply.
    result = run_cli("migrate", "interactive", ".", "--endpoint-url", asm, cwd=git_repo, input=b"m\na\ny\n")
    assert result.returncode == 0, result.stderr
    text = (git_repo / "a.py").read_text()
    assert 'TOKEN = json.loads(_secret_cache.get_secret_string("repo/default/TOKEN"))["TOKEN"]' in text
    assert text.rstrip().endswith("# secretshift: allow")
    assert json.loads(_client(asm).get_secret_value(SecretId="repo/default/TOKEN")["SecretString"]) == {
        "TOKEN": github_token(21)}
    assert github_token(21) not in result.stdout + result.stderr
    assert run_cli("scan", ".", cwd=git_repo).returncode == 0


def test_interactive_baseline_choice(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'TOKEN = "{github_token(31)}"\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "init")
    result = run_cli("migrate", "interactive", ".", cwd=git_repo, input=b"b\n")
    assert result.returncode == 0, result.stderr
    assert "added to the baseline" in result.stdout
    baseline = json.loads((git_repo / ".secrets.baseline").read_text())
    assert list(baseline["results"]) == ["a.py"]
    assert run_cli("migrate", "interactive", ".", cwd=git_repo, input=b"").stdout.startswith("no secrets found")


def test_interactive_allow_in_a_dotenv_goes_on_the_line_above(git_repo: Path) -> None:
    token = github_token(41)
    (git_repo / ".env").write_text(f"A=1\nTOKEN={token}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "init")
    result = run_cli("migrate", "interactive", ".", cwd=git_repo, input=b"a\n")
    assert result.returncode == 0, result.stderr
    assert (git_repo / ".env").read_text() == f"A=1\n# secretshift: allow\nTOKEN={token}\n"
    assert run_cli("scan", ".", cwd=git_repo).returncode == 0


def test_rotation_lambda_request(git_repo: Path, asm: str, tmp_path: Path) -> None:
    """moto runs rotation functions in Docker, which tests cannot use: the proxy answers
    RotateSecret as AWS does and the test checks the request secretshift sent."""
    from tests.aws_faults import Fault, recording_endpoint

    arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-github"
    repo = make_sample_repo(git_repo)
    _configure(repo.root, f'[tool.secretshift.migrate.rotation.rule.github-token]\ndays = 30\nlambda = "{arn}"\n')
    plan_file = write_plan(repo.root, tmp_path / "plan.json")
    answer = json.dumps({"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf", "Name": "x"})
    with recording_endpoint(asm, Fault("RotateSecret", status=200, body=answer)) as (url, proxy):
        applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--yes", cwd=repo.root)
    assert applied.returncode == 0, applied.stderr
    rotations = [json.loads(body) for operation, body in proxy.requests if operation == "RotateSecret"]
    assert sorted(r["SecretId"] for r in rotations) == ["billing/prod/DEPLOY_TOKEN", "billing/prod/env"]
    for request in rotations:
        assert request["RotationLambdaARN"] == arn
        assert request["RotationRules"] == {"AutomaticallyAfterDays": 30}
        assert request["RotateImmediately"] is False
    tags = {t["Key"]: t["Value"] for t in _client(asm).describe_secret(SecretId="billing/prod/env")["Tags"]}
    assert tags["rotation-mode"] == "lambda"
    assert not (repo.root / "docs" / "secret-rotation.md").exists()
