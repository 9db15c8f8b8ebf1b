"""`--fix`: diff first, `--yes` writes, formatting kept, idempotent, and the result still
validates with the real tools (terraform validate against the local provider mirror, cfn-lint)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = '''# Platform clusters. Owner: platform-team
variable "db_password" {
  type = string # injected by CI
}

variable "subnet_ids" {
  type = list(string)
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks" # the cluster role

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}

resource "aws_secretsmanager_secret" "db" {
  name = "platform/db"
  tags = {
    team = "platform"
  }
}

resource "aws_secretsmanager_secret" "api" {
  name = "platform/api"
  tags = merge({ team = "platform" }, { tier = "gold" })
}

resource "aws_secretsmanager_secret" "bare" {
  name = "platform/bare"
}

output "db_password" { value = var.db_password }
'''

STACK = '''AWSTemplateFormatVersion: "2010-09-09"
Description: platform stack   # kept as written
Parameters:
  DbPassword:
    Type: String
    MinLength: 12
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  ClusterRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: eks.amazonaws.com}
            Action: sts:AssumeRole
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: !GetAtt ClusterRole.Arn
      ResourcesVpcConfig:
        SubnetIds: !Ref SubnetIds
  AppSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: platform/app
      Tags:
        - Key: team
          Value: platform
  BareSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: no tags yet
'''

STACK_JSON = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"AdminPassword": {"Type": "String", "MinLength": "12"}},
    "Resources": {
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {
            "RoleArn": "arn:aws:iam::123456789012:role/eks",
            "ResourcesVpcConfig": {"SubnetIds": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]}}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "platform/json"}},
    },
}

FIXABLE = {"eks-secrets-encryption", "secret-rotation-undocumented", "tf-secret-not-sensitive", "cfn-parameter-noecho"}


def _checks(adr, path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    _, out, _ = adr("check", "--format", "json", str(path))
    return sorted(v["check"] for v in json.loads(out)["violations"])


def test_terraform_fix_shows_a_diff_then_writes_and_is_idempotent(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "main.tf"
    path.write_text(MODULE)
    before = _checks(adr, tmp_path)
    assert set(before) == FIXABLE - {"cfn-parameter-noecho"}
    code, out, _ = adr("check", "--fix", str(tmp_path))
    assert code == 1 and out.startswith("--- a/") and "+  encryption_config {" in out
    assert path.read_text() == MODULE, "--fix without --yes changes nothing"
    code, out, _ = adr("check", "--fix", "--yes", str(tmp_path))
    assert code == 0 and "fixed 1 file(s)" in out
    fixed = path.read_text()
    for kept in ("# Platform clusters. Owner: platform-team", "# injected by CI", "# the cluster role",
                 '    team = "platform"\n'):
        assert kept in fixed
    assert 'tags = merge({ team = "platform" }, { tier = "gold" }, { "rotation-period-days" = "90", "rotation-mode" = "manual" })' in fixed
    assert 'output "db_password" {\n  value = var.db_password\n  sensitive = true\n}' in fixed
    assert _checks(adr, tmp_path) == []
    code, out, _ = adr("check", "--fix", "--yes", str(tmp_path))
    assert code == 0 and "nothing to fix" in out and path.read_text() == fixed


def test_cloudformation_yaml_fix(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "stack.yaml"
    path.write_text(STACK)
    assert set(_checks(adr, tmp_path)) == {"cfn-parameter-noecho", "eks-secrets-encryption", "secret-rotation-undocumented"}
    code, _, err = adr("check", "--fix", "--yes", str(tmp_path))
    fixed = path.read_text()
    assert code == 0, err
    assert "Description: platform stack   # kept as written" in fixed
    assert "  DbPassword:\n    NoEcho: true\n    Type: String\n" in fixed
    assert "KeyArn: !GetAtt ClusterSecretsKey.Arn" in fixed and "  ClusterSecretsKey:\n    Type: AWS::KMS::Key" in fixed
    assert _checks(adr, tmp_path) == []
    adr("check", "--fix", "--yes", str(tmp_path))
    assert path.read_text() == fixed


def test_cloudformation_json_fix_stays_json(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(STACK_JSON, indent=2) + "\n")
    adr("check", "--fix", "--yes", str(tmp_path))
    document = json.loads(path.read_text())
    assert document["Parameters"]["AdminPassword"]["NoEcho"] is True
    assert document["Resources"]["Cluster"]["Properties"]["EncryptionConfig"][0]["Resources"] == ["secrets"]
    assert document["Resources"]["ClusterSecretsKey"]["Type"] == "AWS::KMS::Key"
    assert {t["Key"] for t in document["Resources"]["Secret"]["Properties"]["Tags"]} == {"rotation-period-days", "rotation-mode"}
    assert _checks(adr, tmp_path) == []


def test_fix_refuses_to_write_through_a_symlink(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "real.tf"
    real.write_text(MODULE)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").symlink_to(real)
    code, out, _ = adr("check", "--fix", "--yes", str(tmp_path / "infra" / "main.tf"))
    assert real.read_text() == MODULE
    assert code == 0 and "nothing to fix mechanically" in out  # a symlink is skipped, never followed


def _terraform() -> tuple[str, Path]:
    terraform = shutil.which("terraform")
    mirror = Path("/opt/tf-plugins/registry.terraform.io/hashicorp/aws")
    if terraform is None or not mirror.is_dir():
        pytest.skip("terraform and its local AWS provider mirror (/opt/tf-plugins) are not on this machine: "
                    "this machine image cannot validate fixed Terraform; nothing can install them offline")
    return terraform, mirror.parent.parent.parent


@pytest.mark.subprocess
def test_fixed_terraform_validates(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    terraform, mirror = _terraform()
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(MODULE)
    adr("check", "--fix", "--yes", str(module))
    rc = tmp_path / "terraformrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    init = subprocess.run([terraform, "init", "-backend=false", "-input=false", "-no-color"], cwd=module, env=env,
                          capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = subprocess.run([terraform, "validate", "-json"], cwd=module, env=env, capture_output=True, text=True, timeout=300)
    report = json.loads(validate.stdout)
    assert report["valid"], report["diagnostics"]


@pytest.mark.subprocess
def test_fixed_cloudformation_passes_cfn_lint(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "stack.yaml").write_text(STACK)
    (tmp_path / "stack.json").write_text(json.dumps(STACK_JSON, indent=2) + "\n")
    adr("check", "--fix", "--yes", str(tmp_path))
    lint = subprocess.run([sys.executable, "-m", "cfnlint", "--format", "parseable", str(tmp_path / "stack.yaml"),
                           str(tmp_path / "stack.json")], capture_output=True, text=True, timeout=300)
    errors = [line for line in lint.stdout.splitlines() if ":E" in line]
    assert not errors, lint.stdout
