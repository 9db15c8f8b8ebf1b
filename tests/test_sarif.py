"""SARIF output validates against the official SARIF 2.1.0 schema."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import run_cli, sarif_schema

TOKEN = "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"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = sarif_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)  # type: ignore[no-any-return]


def test_sarif_with_findings_is_valid(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "a.py").write_text(f'token = "{TOKEN}"\n')
    (tmp_path / "big.txt").write_text("y" * 4096)
    proc = run_cli("scan", "--no-git", "--format", "sarif", "--max-file-size", "1KB", str(tmp_path))
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    validator.validate(document)
    run = document["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "github-token"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "github-token"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dir%20with%20space/a.py"
    assert location["region"] == {"startLine": 1, "startColumn": 10, "endLine": 1, "endColumn": 50}
    assert len(result["partialFingerprints"]["secretHash/v1"]) == 40
    assert TOKEN not in proc.stdout
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert "big.txt" in notes[0]["message"]["text"]


def test_sarif_clean_is_valid_and_lists_every_rule(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    (tmp_path / "a.txt").write_text("nothing here\n")
    proc = run_cli("scan", "--no-git", "--format", "sarif", str(tmp_path))
    assert proc.returncode == 0
    document = json.loads(proc.stdout)
    validator.validate(document)
    listed = [r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]]
    rules = [r["id"] for r in json.loads(run_cli("rules", "--format", "json").stdout)]
    assert listed == rules
