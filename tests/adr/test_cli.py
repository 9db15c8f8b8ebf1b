"""`secretshift adr check` as a user runs it: exit codes, formats, configuration errors."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.adr.conftest import violations
from tests.conftest import sarif_schema

EKS = '''resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d"]
  }
}
'''
CLEAN = '''resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
'''


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    (tmp_path / "eks.tf").write_text(EKS)
    return tmp_path


def test_exit_codes(adr, infra: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = adr("check", str(infra))
    assert code == 1 and "clause 6  eks-secrets-encryption  aws_eks_cluster.main" in out
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "main.tf").write_text(CLEAN)
    code, out, _ = adr("check", str(clean))
    assert code == 0 and "no ADR 005 violations in 1 IaC file(s)" in out
    code, _, err = adr("check", str(tmp_path / "missing"))
    assert code == 2 and "no such file or directory" in err


def test_json_report_has_every_field(adr, infra: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = adr("check", "--format", "json", str(infra))
    document = json.loads(out)
    assert code == 1 and document["version"] == 1
    [violation] = document["violations"]
    assert violation["clause"] == 6 and violation["check"] == "eks-secrets-encryption"
    assert violation["path"].endswith("eks.tf") and violation["line"] == 1
    assert violation["resource"] == "aws_eks_cluster.main"
    assert "encryption_config" in violation["fix"] and violation["message"]


def test_sarif_is_valid_and_carries_the_clause(adr, infra: Path) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = adr("check", "--format", "sarif", str(infra))
    document = json.loads(out)
    jsonschema.validate(document, sarif_schema())
    [result] = document["runs"][0]["results"]
    assert result["properties"]["clause"] == 6 and result["ruleId"] == "eks-secrets-encryption"
    rule = document["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "eks-secrets-encryption" and rule["properties"]["clause"] == 6
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_github_and_junit(adr, infra: Path) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = adr("check", "--format", "github", str(infra))
    assert out.startswith("::error file=") and "title=ADR 005 clause 6%3A eks-secrets-encryption" in out
    _, out, _ = adr("check", "--format", "junit", str(infra))
    suite = ET.fromstring(out.split("?>", 1)[1])
    assert suite.attrib["failures"] == "1"
    assert suite.find(".//testcase").attrib["classname"] == "secretshift-adr.clause6.eks-secrets-encryption"


def test_output_file(adr, infra: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "report.sarif"
    code, out, _ = adr("check", "--format", "sarif", "--output", str(target), str(infra))
    assert code == 1 and out == "" and json.loads(target.read_text())["version"] == "2.1.0"


def test_checks_lists_every_clause(adr) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = adr("checks")
    assert code == 0
    for clause in range(1, 8):
        assert f"clause {clause}:" in out
    assert "eso-cluster-secret-store" in out


@pytest.mark.parametrize(("table", "message"), [
    ("max_rotation_days = 90\nmaximum_days = 3\n", "unknown setting(s) maximum_days"),
    ("max_rotation_days = -1\n", "positive integer"),
    ("exclude = \"vendor\"\n", "`exclude` must be an array of strings"),
    ("[[tool.secretshift.adr.exceptions]]\ncheck = \"eks-secrets-encryption\"\npath = \"*\"\nexpires = 2030-01-01\n",
     "needs `reason`"),
    ("[[tool.secretshift.adr.exceptions]]\ncheck = \"eks-secrets-encryption\"\npath = \"*\"\nreason = \"r\"\n",
     "needs `expires`"),
    ("[[tool.secretshift.adr.exceptions]]\ncheck = \"eks-encryption\"\npath = \"*\"\nreason = \"r\"\nexpires = 2030-01-01\n",
     "unknown check 'eks-encryption'"),
    ("[[tool.secretshift.adr.exceptions]]\ncheck = \"eks-secrets-encryption\"\npath = \"*\"\nreason = \"r\"\nexpires = \"soon\"\n",
     "`expires` must be a date"),
    ("[[tool.secretshift.adr.exceptions]]\ncheck = \"eks-secrets-encryption\"\npath = \"*\"\nreason = \"r\"\nexpires = 2030-01-01\nowner = \"x\"\n",
     "unknown exception key(s) owner"),
], ids=["unknown-key", "bad-days", "bad-type", "no-reason", "no-expiry", "unknown-check", "bad-date", "unknown-exception-key"])
def test_configuration_mistakes_are_errors(adr, infra: Path, table: str, message: str) -> None:  # type: ignore[no-untyped-def]
    (infra / "pyproject.toml").write_text("[tool.secretshift.adr]\n" + table)
    code, out, err = adr("check", str(infra))
    assert code == 2 and message in err and out == ""


def test_adr_table_does_not_break_the_scan_config(infra: Path) -> None:
    from secretshift.config import load_config

    (infra / "pyproject.toml").write_text("[tool.secretshift.adr]\nmax_rotation_days = 30\n")
    assert load_config(None, infra).source is not None


def test_unparseable_files_are_reported_not_fatal(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "broken.tf").write_text('resource "aws_eks_cluster" "x" {\n  name = \n')
    (tmp_path / "stack.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [unclosed\n")
    (tmp_path / "eks.tf").write_text(EKS)
    code, out, _ = adr("check", "--format", "json", str(tmp_path))
    document = json.loads(out)
    assert code == 1 and len(document["violations"]) == 1
    assert sorted(s["reason"].split(" (")[0] for s in document["skipped"]) == ["not valid HCL", "not valid YAML"]


def test_violations_never_quote_the_secret(adr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes import aws_secret_access_key

    value = aws_secret_access_key(71)
    (tmp_path / "fn.tf").write_text(f'''resource "aws_lambda_function" "f" {{
  function_name = "f"
  environment {{
    variables = {{ AWS_SECRET_ACCESS_KEY = "{value}" }}
  }}
}}
''')
    for fmt in ("text", "json", "sarif", "github", "junit"):
        code, out, err = adr("check", "--format", fmt, str(tmp_path))
        assert code == 1 and value not in out + err, fmt
        assert value[:12] not in out + err, fmt
