"""plan -> apply -> run, end to end: the real CLI in subprocesses, moto's server over HTTP, git."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import git, run_cli
from tests.migrate_repo import SampleRepo, make_sample_repo, write_plan


def _client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1")


def _assert_no_values(repo: SampleRepo, *texts: str) -> None:
    for text in texts:
        for label, value in repo.values.items():
            assert value not in text, f"the {label} value leaked"


def _tree_text(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text("utf-8", "replace")
        for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts
    }


@pytest.fixture
def sample(git_repo: Path) -> SampleRepo:
    return make_sample_repo(git_repo)


def test_plan_apply_rerun_and_run_the_rewritten_code(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    root = sample.root
    plan_file = tmp_path / "plan.json"
    planned = run_cli("migrate", "plan", "--out", str(plan_file), cwd=root)
    assert planned.returncode == 0, planned.stderr
    summary = run_cli("migrate", "plan", cwd=root)
    assert summary.returncode == 0
    assert "billing/prod/env" in summary.stdout and "--- a/app/settings.py" in summary.stdout

    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=root)
    assert applied.returncode == 0, applied.stderr

    client = _client(asm)
    env_secret = json.loads(client.get_secret_value(SecretId="billing/prod/env")["SecretString"])
    assert env_secret == {
        "AWS_ACCESS_KEY_ID": sample.values["akid"],
        "AWS_SECRET_ACCESS_KEY": sample.values["sak"],
        "GITHUB_TOKEN": sample.values["shared"],
    }
    deploy = json.loads(client.get_secret_value(SecretId="billing/prod/DEPLOY_TOKEN")["SecretString"])
    assert deploy == {"DEPLOY_TOKEN": sample.values["deploy"]}
    assert sorted(s["Name"] for s in client.list_secrets()["SecretList"]) == [
        "billing/prod/DEPLOY_TOKEN", "billing/prod/env",
    ]
    tags = {t["Key"]: t["Value"] for t in client.describe_secret(SecretId="billing/prod/env")["Tags"]}
    assert tags["managed-by"] == "secretshift"
    assert tags["rotation-mode"] == "manual" and tags["rotation-period-days"] == "90"
    assert tags["owner"] == "team-payments"
    assert tags["source-paths"] == ".env app/settings.py"
    assert tags["rule"] == "aws-access-key-id aws-secret-access-key github-token"

    env_text = (root / ".env").read_text()
    assert 'AWS_SECRET_ACCESS_KEY=\n' in env_text and "GITHUB_TOKEN=  # CI token\n" in env_text
    assert '# GITHUB_TOKEN: in AWS Secrets Manager, secret "billing/prod/env", JSON key "GITHUB_TOKEN"' in env_text
    settings = (root / "app" / "settings.py").read_text()
    assert ('GITHUB_TOKEN = json.loads(_secret_cache.get_secret_string("billing/prod/env"))["GITHUB_TOKEN"]'
            "  # used by the deploy job") in settings
    assert settings.count("_secret_cache = SecretCache()") == 1
    assert "aws-secretsmanager-caching" in (root / "requirements.txt").read_text()
    policy = json.loads((root / "docs" / "secretshift-iam-policy-app-runtime.json").read_text())
    resources = policy["Statement"][0]["Resource"]
    assert all(r.startswith("arn:aws:secretsmanager:us-east-1:") and r.endswith("-??????") for r in resources)
    assert len(resources) == 2 and policy["Statement"][0]["Action"] == [
        "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    runbook = (root / "docs" / "secret-rotation.md").read_text()
    assert "## `billing/prod/env`" in runbook and "Lifetime: 90 days" in runbook and "team-payments" in runbook
    first_commit = git(root, "rev-parse", "--short", "HEAD").strip()
    assert f"exposed: rotate it at the provider now: billing/prod/env#GITHUB_TOKEN (first added in {first_commit}" in applied.stdout

    before = _tree_text(root)
    again = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert _tree_text(root) == before
    assert len(client.list_secrets()["SecretList"]) == 2

    env = {**os.environ, "AWS_ENDPOINT_URL": asm}
    ran = subprocess.run([sys.executable, "app/settings.py"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [sample.values["shared"], sample.values["deploy"]]

    rescan = run_cli("scan", ".", cwd=root)
    assert rescan.returncode == 0, rescan.stdout
    written = _tree_text(root)
    _assert_no_values(sample, plan_file.read_text(), planned.stdout, planned.stderr, summary.stdout,
                      summary.stderr, applied.stdout, applied.stderr, again.stdout, again.stderr,
                      *written.values())


def test_a_file_changed_since_planning_refuses_the_whole_apply(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    settings = sample.root / "app" / "settings.py"
    settings.write_text(settings.read_text().replace("DEBUG =", "VERBOSE = True\nDEBUG ="))
    before = _tree_text(sample.root)
    result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=sample.root)
    assert result.returncode == 1
    assert "changed since the plan was made: app/settings.py" in result.stderr
    assert _tree_text(sample.root) == before
    assert _client(asm).list_secrets()["SecretList"] == []
    _assert_no_values(sample, result.stdout, result.stderr)


def test_a_file_whose_value_was_edited_away_is_named_with_exit_1(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    settings = sample.root / "app" / "settings.py"
    settings.write_text(settings.read_text().replace(sample.values["deploy"], "rotated-by-hand-elsewhere"))
    before = _tree_text(sample.root)
    result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=sample.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "changed since the plan was made: app/settings.py" in result.stderr
    assert _tree_text(sample.root) == before
    _assert_no_values(sample, result.stdout, result.stderr)


def test_dry_run_writes_nothing(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    before = _tree_text(sample.root)
    from tests.aws_faults import faulty_endpoint

    with faulty_endpoint(asm) as (url, calls):  # no fault: it only counts the calls
        result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", url, "--dry-run", cwd=sample.root)
    assert result.returncode == 0, result.stderr
    assert set(calls) == {"DescribeSecret"}
    assert "secret billing/prod/env: would create" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert _tree_text(sample.root) == before
    assert _client(asm).list_secrets()["SecretList"] == []


FOREIGN = [
    pytest.param([], None, None, "managed-by=(none)", id="untagged"),
    pytest.param([{"Key": "managed-by", "Value": "secretshift"}, {"Key": "source-repo", "Value": "other-repo"}],
                 None, None, "source-repo=other-repo", id="another-repository"),
    pytest.param("ours", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":'
                 '"arn:aws:iam::210987654321:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}',
                 None, "resource policy", id="resource-policy"),
    pytest.param("ours", None, "kms", "another KMS key", id="another-kms-key"),
]


@pytest.mark.parametrize(("tags", "policy", "kms", "reason"), FOREIGN)
def test_a_foreign_secret_of_the_same_name_is_refused_and_untouched(
        sample: SampleRepo, asm: str, tmp_path: Path, tags: Any, policy: str | None, kms: str | None,
        reason: str) -> None:
    client = _client(asm)
    if tags == "ours":
        tags = [{"Key": "managed-by", "Value": "secretshift"}, {"Key": "source-repo", "Value": sample.root.name}]
    extra: dict[str, Any] = {}
    if kms:
        extra["KmsKeyId"] = boto3.client("kms", endpoint_url=asm, region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    client.create_secret(Name="billing/prod/DEPLOY_TOKEN", SecretString='{"DEPLOY_TOKEN": "someone-elses"}',
                         Tags=tags, **extra)
    if policy:
        client.put_resource_policy(SecretId="billing/prod/DEPLOY_TOKEN", ResourcePolicy=policy)
    versions = [v["VersionId"] for v in client.list_secret_version_ids(SecretId="billing/prod/DEPLOY_TOKEN")["Versions"]]
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    before = _tree_text(sample.root)
    for flags in ((), ("--update-existing",)):
        result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", *flags, cwd=sample.root)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "refusing secret 'billing/prod/DEPLOY_TOKEN'" in result.stderr and reason in result.stderr
        assert "pass --update-existing" not in result.stderr
        assert "no file was changed" in result.stderr
        assert _tree_text(sample.root) == before
    described = client.describe_secret(SecretId="billing/prod/DEPLOY_TOKEN")
    assert [v["VersionId"] for v in client.list_secret_version_ids(SecretId="billing/prod/DEPLOY_TOKEN")["Versions"]] \
        == versions
    assert {t["Key"]: t["Value"] for t in described.get("Tags", [])} == {t["Key"]: t["Value"] for t in tags}
    assert json.loads(client.get_secret_value(SecretId="billing/prod/DEPLOY_TOKEN")["SecretString"]) == {
        "DEPLOY_TOKEN": "someone-elses"}


def test_our_own_secret_with_another_value_is_a_conflict_update_existing_resolves(
        sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    _client(asm).create_secret(Name="billing/prod/DEPLOY_TOKEN", SecretString='{"DEPLOY_TOKEN": "an-older-value"}',
                               Tags=[{"Key": "managed-by", "Value": "secretshift"},
                                     {"Key": "source-repo", "Value": sample.root.name}])
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    before = _tree_text(sample.root)
    result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=sample.root)
    assert result.returncode == 2
    assert "conflict: secret 'billing/prod/DEPLOY_TOKEN' (made by secretshift for this repository)" in result.stderr
    assert "no file was changed" in result.stderr
    assert _tree_text(sample.root) == before
    forced = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", "--update-existing",
                     cwd=sample.root)
    assert forced.returncode == 0, forced.stderr
    assert "secret billing/prod/DEPLOY_TOKEN: updated" in forced.stdout
    value = _client(asm).get_secret_value(SecretId="billing/prod/DEPLOY_TOKEN")["SecretString"]
    assert json.loads(value) == {"DEPLOY_TOKEN": sample.values["deploy"]}


def test_replace_file_only_on_request_outside_the_repo_owner_only(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    inside = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes",
                     "--write-replace-file", str(sample.root / "replace.txt"), cwd=sample.root)
    assert inside.returncode == 2 and "outside the repository" in inside.stderr
    assert not (sample.root / "replace.txt").exists()
    target = tmp_path / "replace.txt"
    result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes",
                     "--write-replace-file", str(target), cwd=sample.root)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert f"wrote {target} (mode 0600" in result.stdout
    content = target.read_text()
    assert all(f"literal:{v}==>" in content for v in sample.values.values())
    _assert_no_values(sample, result.stdout, result.stderr)


def test_plan_of_one_line_and_a_clean_tree(sample: SampleRepo, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    result = run_cli("migrate", "plan", "app/settings.py:6", "--out", str(plan_file), cwd=sample.root)
    assert result.returncode == 0, result.stderr
    plan = json.loads(plan_file.read_text())
    assert [s["name"] for s in plan["secrets"]] == ["billing/prod/DEPLOY_TOKEN"]
    assert plan["version"] == 1
    # The other values of the file stay masked in the diff's context lines.
    _assert_no_values(sample, plan_file.read_text(), result.stdout)
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "README").write_text("nothing here\n")
    nothing = run_cli("migrate", "plan", str(clean), cwd=clean)
    assert nothing.returncode == 1 and "nothing to migrate" in nothing.stderr


def test_apply_asks_first_and_refuses_without_a_terminal(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    result = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, cwd=sample.root, input=b"y\n")
    assert result.returncode == 2 and "pass --yes" in result.stderr
    assert _client(asm).list_secrets()["SecretList"] == []


def test_migrated_entries_leave_the_baseline(sample: SampleRepo, asm: str, tmp_path: Path) -> None:
    import hashlib

    def entry(path: str, value: str) -> dict[str, object]:
        return {"type": "GitHub Token", "filename": path, "hashed_secret": hashlib.sha1(value.encode()).hexdigest(),
                "is_verified": False, "line_number": 1}

    other = entry("docs/example.md", "an-accepted-false-positive")
    baseline = {"version": "1.5.0", "plugins_used": [{"name": "GitHubTokenDetector"}], "filters_used": [],
                "results": {".env": [entry(".env", sample.values["shared"])],
                            "app/settings.py": [entry("app/settings.py", sample.values["deploy"])],
                            "docs/example.md": [other]}}
    (sample.root / ".secrets.baseline").write_text(json.dumps(baseline, indent=2) + "\n")
    git(sample.root, "add", "-A")
    git(sample.root, "commit", "-q", "-m", "baseline")
    plan_file = write_plan(sample.root, tmp_path / "plan.json")
    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=sample.root)
    assert applied.returncode == 0, applied.stderr
    assert "baseline: 2 migrated entries removed from .secrets.baseline" in applied.stdout
    after = json.loads((sample.root / ".secrets.baseline").read_text())
    assert list(after["results"]) == ["docs/example.md"]


def test_plan_from_a_subdirectory_uses_the_repository_config(sample: SampleRepo) -> None:
    result = run_cli("migrate", "plan", "settings.py:6", cwd=sample.root / "app")
    assert result.returncode == 0, result.stderr
    assert "secret billing/prod/DEPLOY_TOKEN" in result.stdout
