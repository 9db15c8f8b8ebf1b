"""action.yml, run as the GitHub runner would run its steps, against a real pull request repo."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, git, sarif_schema
from tests.fakes import aws_key_id

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def evaluate(text: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    """Substitute `${{ ... }}` as the runner does, for the expressions this action uses."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(ROOT)
        if expression.startswith("inputs."):
            name = expression.removeprefix("inputs.")
            return inputs.get(name, str(ACTION["inputs"][name].get("default", "")))
        found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if found:
            return steps.get(found.group(1), {}).get(found.group(2), "")
        raise AssertionError(f"action.yml uses an expression this test does not emulate: {expression}")

    return _EXPRESSION.sub(value, text)


def parse_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delimiter = line.split("<<", 1)
            body = []
            for item in lines:
                if item == delimiter:
                    break
                body.append(item)
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(workspace: Path, event_name: str, event: dict[str, Any], inputs: dict[str, str],
               tmp: Path) -> tuple[dict[str, str], dict[str, subprocess.CompletedProcess[str]], Path]:
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    summary = tmp / "summary.md"
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SHA": git(workspace, "rev-parse", "HEAD").strip(),
        "RUNNER_TEMP": str(runner_temp),
        # The venv running the tests already has this checkout installed: put it first on PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    steps: dict[str, dict[str, str]] = {}
    procs: dict[str, subprocess.CompletedProcess[str]] = {}
    assert ACTION["runs"]["using"] == "composite"
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        script = evaluate(step["run"], inputs, steps)
        if step_id == "install":
            # It installs this checkout, which the test venv already has (editable).
            assert f'"{ROOT}[git]"' in script and "pip install" in script
            continue
        assert step["shell"] == "bash"
        output = tmp / f"output-{step_id}"
        output.write_text("", encoding="utf-8")
        step_env = {**env, "GITHUB_OUTPUT": str(output)}
        step_env.update({k: evaluate(str(v), inputs, steps) for k, v in step.get("env", {}).items()})
        script_path = tmp / f"{step_id}.sh"
        script_path.write_text(script, encoding="utf-8")
        procs[step_id] = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_path)],
            cwd=workspace, env=step_env, capture_output=True, text=True, timeout=300,
        )
        steps[step_id] = parse_outputs(output)
    outputs = {name: evaluate(spec["value"], inputs, steps) for name, spec in ACTION["outputs"].items()}
    return outputs, procs, summary


@pytest.fixture
def pull_request(git_repo: Path) -> dict[str, str]:
    """main, and a PR branch that adds a secret in one commit and removes it in the next."""
    (git_repo / "app").mkdir()
    (git_repo / "app" / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "base")
    base = git(git_repo, "rev-parse", "HEAD").strip()
    git(git_repo, "checkout", "-qb", "feature")
    (git_repo / "app" / "config.py").write_text(f'DEBUG = False\nAWS_KEY = "{aws_key_id(40)}"\n', encoding="utf-8")
    git(git_repo, "commit", "-qam", "add a key")
    added = git(git_repo, "rev-parse", "HEAD").strip()
    (git_repo / "app" / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
    git(git_repo, "commit", "-qam", "oops, remove it")
    head = git(git_repo, "rev-parse", "HEAD").strip()
    # main moves on, and the runner checks out GitHub's merge commit (GITHUB_SHA), as actions/checkout does.
    git(git_repo, "checkout", "-q", "main")
    (git_repo / "README").write_text("docs\n", encoding="utf-8")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "main moves on")
    git(git_repo, "checkout", "-q", "--detach", "main")
    git(git_repo, "merge", "-q", "--no-ff", "-m", "Merge feature into main", "feature")
    return {"base": base, "head": head, "added": added}


def pr_event(shas: dict[str, str]) -> dict[str, Any]:
    return {"action": "synchronize", "number": 7,
            "pull_request": {"base": {"sha": shas["base"], "ref": "main"}, "head": {"sha": shas["head"], "ref": "feature"}}}


@pytest.mark.subprocess
def test_action_finds_the_removed_secret_with_its_commit(git_repo: Path, pull_request: dict[str, str], tmp_path: Path) -> None:
    outputs, procs, summary = run_action(git_repo, "pull_request", pr_event(pull_request), {}, tmp_path)
    scan = procs["scan"]
    assert scan.returncode == 1, scan.stderr
    assert outputs == {"findings": "1", "sarif": "secretshift.sarif"}

    annotation = next(line for line in scan.stdout.splitlines() if line.startswith("::error "))
    assert annotation.startswith("::error file=app/config.py,line=2,endLine=2,col=12,endColumn=32,title=secretshift%3A aws-access-key-id::")
    assert pull_request["added"][:12] in annotation

    text = summary.read_text(encoding="utf-8")
    assert "1 new secret in 2 commits" in text and pull_request["added"][:12] in text and "`app/config.py`" in text

    sarif = json.loads((git_repo / "secretshift.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, sarif_schema())
    [result] = sarif["runs"][0]["results"]
    assert result["properties"]["commit"] == pull_request["added"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/config.py"

    everything = scan.stdout + scan.stderr + text + (git_repo / "secretshift.sarif").read_text(encoding="utf-8")
    assert aws_key_id(40) not in everything


@pytest.mark.subprocess
def test_action_report_only_and_explicit_range(git_repo: Path, pull_request: dict[str, str], tmp_path: Path) -> None:
    inputs = {"fail": "false", "sarif": "out/report.sarif", "base": pull_request["added"], "head": pull_request["head"]}
    (git_repo / "out").mkdir()
    outputs, procs, summary = run_action(git_repo, "pull_request", pr_event(pull_request), inputs, tmp_path)
    assert procs["scan"].returncode == 0, procs["scan"].stderr
    # Only the removal commit is in this range: nothing new.
    assert outputs == {"findings": "0", "sarif": "out/report.sarif"}
    jsonschema.validate(json.loads((git_repo / "out" / "report.sarif").read_text()), sarif_schema())
    assert "0 new secrets in 1 commits" in summary.read_text(encoding="utf-8")


@pytest.mark.subprocess
@pytest.mark.parametrize(("trust", "code"), [("false", 1), ("true", 0)])
def test_action_ignores_a_widening_config_unless_trusted(git_repo: Path, pull_request: dict[str, str], tmp_path: Path,
                                                         trust: str, code: int) -> None:
    """#13: the checkout's `exclude` that hides the PR's secret counts only with trust-head-config."""
    (git_repo / ".secretshift.toml").write_text('exclude = ["^app/"]\n', encoding="utf-8")
    _, procs, summary = run_action(git_repo, "pull_request", pr_event(pull_request), {"trust-head-config": trust}, tmp_path)
    assert procs["scan"].returncode == code, procs["scan"].stderr
    assert "excludes paths matching '^app/'" in summary.read_text(encoding="utf-8")


@pytest.mark.subprocess
def test_action_inputs_cannot_inject_shell(git_repo: Path, pull_request: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    inputs = {"config": f'x"; touch {marker}; echo "', "fail": "false"}
    _, procs, _ = run_action(git_repo, "pull_request", pr_event(pull_request), inputs, tmp_path)
    assert procs["scan"].returncode == 2  # a missing config file, reported as such
    assert not marker.exists()


def test_action_metadata_declares_its_interface() -> None:
    assert set(ACTION["inputs"]) == {"base", "head", "baseline", "config", "sarif", "fail", "trust-head-config",
                                     "adr", "adr-paths", "adr-sarif"}
    assert set(ACTION["outputs"]) == {"findings", "sarif"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for needle in ("fetch-depth: 0", "github/codeql-action/upload-sarif", "security-events: write", "if: always()"):
        assert needle in readme
