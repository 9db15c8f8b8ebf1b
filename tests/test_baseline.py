"""The baseline file: detect-secrets' shape, content identity, deterministic writes, and the real
detect-secrets reading ours (and us reading its)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from secretshift.baseline_file import load_baseline
from tests.conftest import ROOT, git, run_cli
from tests.fakes import aws_key_id, github_token

SCHEMA = json.loads((ROOT / "baseline" / "schema.json").read_text())
DETECT_SECRETS = shutil.which("detect-secrets", path=os.path.dirname(sys.executable)) or "detect-secrets"


def _repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(f'import os\nAWS_KEY = "{aws_key_id(1)}"\n')
    (git_repo / "ci.sh").write_text(f"export GITHUB_TOKEN={github_token(2)}\n")
    (git_repo / "clean.txt").write_text("nothing to see\n")
    git(git_repo, "add", ".")
    return git_repo


def _results(path: Path) -> dict[str, list[dict[str, object]]]:
    return json.loads(path.read_text())["results"]  # type: ignore[no-any-return]


def test_create_writes_the_detect_secrets_shape(git_repo: Path) -> None:
    repo = _repo(git_repo)
    proc = run_cli("baseline", "create", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    document = json.loads((repo / ".secrets.baseline").read_text())
    jsonschema.validate(document, SCHEMA)
    assert list(document) == ["version", "plugins_used", "filters_used", "results"]
    assert sorted(document["results"]) == ["app.py", "ci.sh"]
    entry = document["results"]["app.py"][0]
    assert entry["type"] == "AWS Access Key" and entry["line_number"] == 2 and entry["is_verified"] is False
    assert aws_key_id(1) not in (repo / ".secrets.baseline").read_text()


def test_create_refuses_to_replace_without_force(git_repo: Path) -> None:
    repo = _repo(git_repo)
    assert run_cli("baseline", "create", cwd=repo).returncode == 0
    again = run_cli("baseline", "create", cwd=repo)
    assert again.returncode == 2 and "update" in again.stderr
    assert run_cli("baseline", "create", "--force", cwd=repo).returncode == 0


def test_writes_are_deterministic_and_skip_unchanged(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    first = path.read_text()
    mtime = path.stat().st_mtime_ns
    proc = run_cli("baseline", "update", cwd=repo)
    assert "unchanged" in proc.stderr
    assert path.read_text() == first and path.stat().st_mtime_ns == mtime
    assert "generated_at" not in first


def test_update_keeps_labels_refreshes_lines_and_drops_gone(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    (repo / "app.py").write_text(f'import os\n\n\n\nAWS_KEY = "{aws_key_id(1)}"\n')
    (repo / "ci.sh").write_text("export GITHUB_TOKEN=$FROM_THE_ENVIRONMENT\n")
    proc = run_cli("baseline", "update", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    results = _results(path)
    assert list(results) == ["app.py"]
    assert results["app.py"][0]["line_number"] == 5 and results["app.py"][0]["is_secret"] is True


def test_update_of_some_paths_leaves_other_files_alone(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    (repo / "ci.sh").write_text("echo clean\n")
    (repo / "new.env").write_text(f"KEY={aws_key_id(3)}\n")
    proc = run_cli("baseline", "update", "new.env", "app.py", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert sorted(_results(repo / ".secrets.baseline")) == ["app.py", "ci.sh", "new.env"]


def test_baseline_path_option_and_subfolder_paths(git_repo: Path) -> None:
    repo = _repo(git_repo)
    (repo / "sub").mkdir()
    (repo / "sub" / "k.py").write_text(f'K = "{aws_key_id(4)}"\n')
    # Names are relative to the repository root, wherever the command runs.
    proc = run_cli("baseline", "create", "--baseline", str(repo / "b.json"), ".", cwd=repo / "sub")
    assert proc.returncode == 0, proc.stderr
    assert list(_results(repo / "b.json")) == ["sub/k.py"]


@pytest.mark.subprocess
def test_detect_secrets_audit_reads_ours(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document, indent=2))
    stats = subprocess.run([DETECT_SECRETS, "audit", "--stats", "--json", ".secrets.baseline"],
                           cwd=repo, capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["AWSKeyDetector"]["stats"]["raw"]["true-positives"] == 1
    assert counts["GitHubTokenDetector"]["stats"]["raw"]["unknown"] == 1
    report = subprocess.run([DETECT_SECRETS, "audit", "--report", ".secrets.baseline"],
                            cwd=repo, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    found = {r["filename"]: r for r in json.loads(report.stdout)["results"]}
    assert found["app.py"]["types"] == ["AWS Access Key"] and found["app.py"]["category"] == "VERIFIED_TRUE"
    assert "2" in found["app.py"]["lines"]


@pytest.mark.subprocess
def test_a_detect_secrets_baseline_is_read_as_is(git_repo: Path) -> None:
    repo = _repo(git_repo)
    made = subprocess.run([DETECT_SECRETS, "scan"], cwd=repo, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    (repo / ".secrets.baseline").write_text(made.stdout)
    document = json.loads(made.stdout)
    jsonschema.validate(document, SCHEMA)
    assert {e["type"] for entries in document["results"].values() for e in entries} >= {"AWS Access Key"}
    # What detect-secrets accepted is accepted by the hook, without re-auditing; nothing else is.
    # (Only app.py: detect-secrets 1.5 hashes just the `ghp` prefix of a GitHub token, so its
    # GitHub entries name a different secret than the one in the file.)
    hook = run_cli("hook", "app.py", cwd=repo)
    assert hook.returncode == 0, hook.stdout + hook.stderr
    (repo / "more.py").write_text(f'K = "{aws_key_id(9)}"\n')
    assert run_cli("hook", "more.py", cwd=repo).returncode == 1
    # And an update keeps its plugin settings.
    run_cli("baseline", "update", cwd=repo)
    assert json.loads((repo / ".secrets.baseline").read_text())["plugins_used"] == document["plugins_used"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "invalid JSON"), ('{"version": "1.5.0"}', "no `results`"),
     ('{"results": {"a": [{"type": "X"}]}}', "hashed_secret")],
    ids=["not-json", "no-results", "entry-without-hash"],
)
def test_a_broken_baseline_is_a_clear_error(git_repo: Path, content: str, message: str) -> None:
    repo = _repo(git_repo)
    (repo / ".secrets.baseline").write_text(content)
    proc = run_cli("hook", "app.py", cwd=repo)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_load_baseline_matches_by_file_and_hash(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    baseline = load_baseline(repo / ".secrets.baseline", None)
    entry = next(e for e in baseline.entries if e.filename == "app.py")
    assert baseline.lookup("app.py", entry.hashed_secret) == entry
    assert baseline.lookup("other.py", entry.hashed_secret) is None


def test_scan_with_a_baseline_reports_only_new_findings(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", "app.py", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    proc = run_cli("scan", "--baseline", ".secrets.baseline", "--format", "json", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["path"] for f in report["findings"]] == ["ci.sh"]
    assert [f["path"] for f in report["accepted"]] == ["app.py"]
    # Paths given from a subfolder still meet the baseline's root-relative names.
    (repo / "ci.sh").write_text("echo clean\n")
    (repo / "sub").mkdir()
    proc = run_cli("scan", "--baseline", str(path), "..", cwd=repo / "sub")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "accepted in baseline: still to migrate" in proc.stdout


def test_staged_sarif_marks_accepted_findings_as_notes(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", "app.py", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    proc = run_cli("scan", "--staged", "--format", "sarif", cwd=repo)
    assert proc.returncode == 1
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert sorted((r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results) \
        == [("error", "ci.sh"), ("note", "app.py")]


def test_a_file_key_duplicated_by_a_git_merge_keeps_both_sides(git_repo: Path) -> None:
    """Two branches that each baselined a finding in the same new file merge (textually, without
    conflict) into a JSON object with that file's key twice; both entries must count."""
    repo = _repo(git_repo)
    (repo / "two.py").write_text(f'A = "{aws_key_id(5)}"\nB = "{aws_key_id(6)}"\n')
    run_cli("baseline", "create", "two.py", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    first, second = document["results"]["two.py"]
    text = path.read_text()
    block = json.dumps({"two.py": [first]}, indent=2)[2:-2]
    other = json.dumps({"two.py": [second]}, indent=2)[2:-2]
    merged = text.replace(json.dumps({"two.py": [first, second]}, indent=2)[2:-2].replace("\n", "\n  "),
                          (block + ",\n" + other).replace("\n", "\n  "))
    assert merged.count('"two.py": [') == 2
    path.write_text(merged)
    assert run_cli("hook", "two.py", cwd=repo).returncode == 0
    run_cli("baseline", "update", "two.py", cwd=repo)  # and an update writes it clean again
    assert path.read_text().count('"two.py": [') == 1
