"""CI wiring: the pre-commit hook entry point, the GitHub Action's adr step, the GitLab job."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from secretshift.hooks.adr import main as hook_main
from secretshift.hooks.adr import with_modules
from tests.conftest import ROOT, git
from tests.test_action import ACTION, evaluate

SECRET_NO_ROTATION = 'resource "aws_secretsmanager_secret" "db" {\n  name = "app/db"\n}\n'
ROTATION = '''resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}
'''


def test_hook_judges_a_terraform_file_with_its_module(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "secrets.tf").write_text(SECRET_NO_ROTATION)
    (tmp_path / "infra" / "rotation.tf").write_text(ROTATION)
    assert with_modules(["infra/secrets.tf"]) == ["infra/rotation.tf", "infra/secrets.tf"]
    assert hook_main(["infra/secrets.tf"]) == 0, "the rotation lives in the module's other file"
    (tmp_path / "infra" / "rotation.tf").unlink()
    assert hook_main(["infra/secrets.tf"]) == 1
    assert "secret-rotation-undocumented" in capsys.readouterr().out
    assert hook_main([]) == 1, "by hand, without paths: the whole tree"


def test_hook_manifest_entry_is_off_by_default_in_the_readme() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["secretshift-adr"]
    assert hook["entry"] == "secretshift-adr" and hook["language"] == "python"
    assert "python-hcl2>=8.0" in hook["additional_dependencies"]
    readme = (ROOT / "README.md").read_text()
    assert "# - id: secretshift-adr" in readme


def test_action_adr_step(tmp_path: Path) -> None:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "adr"]
    assert "always()" in step["if"] and "inputs.adr == 'true'" in step["if"]
    workspace = tmp_path / "ws"
    workspace.mkdir()
    git(workspace, "init", "-q")
    (workspace / "infra").mkdir()
    (workspace / "infra" / "secrets.tf").write_text(SECRET_NO_ROTATION)
    output = tmp_path / "output"
    output.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(output),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    inputs = {"adr": "true", "adr-paths": "infra", "adr-sarif": "adr.sarif"}
    env.update({k: evaluate(str(v), inputs, {}) for k, v in step["env"].items()})
    script = tmp_path / "adr.sh"
    script.write_text(evaluate(step["run"], inputs, {}))
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "::error file=infra/secrets.tf,line=1,title=ADR 005 clause 3%3A secret-rotation-undocumented::" in proc.stdout
    sarif = json.loads((workspace / "adr.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["properties"]["clause"] == 3
    env["SECRETSHIFT_FAIL"] = "false"
    assert subprocess.run(["bash", str(script)], cwd=workspace, env=env, capture_output=True, timeout=300).returncode == 0
    env["SECRETSHIFT_ADR"] = "false"
    assert subprocess.run(["bash", str(script)], cwd=workspace, env=env, capture_output=True, timeout=300).returncode == 0


def test_gitlab_adr_job(tmp_path: Path) -> None:
    template = yaml.safe_load((ROOT / "ci" / "gitlab-secretshift.yml").read_text(encoding="utf-8"))
    job = template["secretshift-adr"]
    assert template["variables"]["SECRETSHIFT_ADR"] == "false"
    assert job["rules"][0] == {"if": '$SECRETSHIFT_ADR != "true"', "when": "never"}
    assert job["artifacts"]["reports"]["junit"] == "secretshift-adr-junit.xml"
    (tmp_path / "secrets.tf").write_text(SECRET_NO_ROTATION)
    env = {**os.environ, **{k: str(v) for k, v in template["variables"].items()},
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    codes = [subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, timeout=300).returncode
             for line in job["script"]]
    assert codes == [0, 0, 1]
    junit = (tmp_path / "secretshift-adr-junit.xml").read_text()
    assert 'failures="1"' in junit and "clause3.secret-rotation-undocumented" in junit
    assert json.loads((tmp_path / "secretshift-adr.sarif").read_text())["runs"][0]["results"]
