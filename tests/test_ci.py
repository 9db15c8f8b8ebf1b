"""`secretshift ci`: provider detection, commit ranges, and the GitLab template run for real."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from secretshift.cienv import CiRange, detect_range
from secretshift.errors import FatalError
from tests.conftest import ROOT, git, run_cli
from tests.fakes import aws_key_id

A = "a" * 40
B = "b" * 40
ZERO = "0" * 40


def github_env(tmp_path: Path, event_name: str, event: Any) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event) if not isinstance(event, str) else event, encoding="utf-8")
    return {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(path)}


@pytest.mark.parametrize(
    ("event_name", "event", "expected"),
    [
        ("pull_request", {"pull_request": {"base": {"sha": A}, "head": {"sha": B}}}, (A, B, None)),
        ("pull_request_target", {"pull_request": {"base": {"sha": A}, "head": {"sha": B}}}, (A, B, None)),
        ("push", {"before": A, "after": B, "ref": "refs/heads/dev"}, (A, B, "dev")),
        ("push", {"before": ZERO, "after": B, "ref": "refs/heads/new", "created": True}, (None, B, "new")),
        ("push", {"before": A, "after": ZERO, "ref": "refs/heads/gone", "deleted": True}, (None, None, "gone")),
        ("merge_group", {"merge_group": {"base_sha": A, "head_sha": B}}, (A, B, None)),
    ],
    ids=["pull-request", "pull-request-target", "push", "push-new-branch", "push-deleted-branch", "merge-group"],
)
def test_github_ranges(tmp_path: Path, event_name: str, event: dict[str, Any],
                       expected: tuple[str | None, str | None, str | None]) -> None:
    found = detect_range(github_env(tmp_path, event_name, event))
    assert (found.provider, found.event) == ("github", event_name)
    assert (found.base, found.head, found.branch) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CI_MERGE_REQUEST_DIFF_BASE_SHA": A, "CI_COMMIT_SHA": B, "CI_COMMIT_BEFORE_SHA": ZERO},
         CiRange("gitlab", "merge request", A, B)),
        ({"CI_COMMIT_BEFORE_SHA": A, "CI_COMMIT_SHA": B, "CI_COMMIT_BRANCH": "dev"},
         CiRange("gitlab", "push", A, B, "dev")),
        ({"CI_COMMIT_BEFORE_SHA": ZERO, "CI_COMMIT_SHA": B, "CI_COMMIT_BRANCH": "new"},
         CiRange("gitlab", "push", None, B, "new", "new branch or first pipeline")),
    ],
    ids=["merge-request", "push", "new-branch"],
)
def test_gitlab_ranges(env: dict[str, str], expected: CiRange) -> None:
    assert detect_range({"GITLAB_CI": "true", **env}) == expected


def test_explicit_range_wins(tmp_path: Path) -> None:
    env = github_env(tmp_path, "pull_request", {"pull_request": {"base": {"sha": A}, "head": {"sha": B}}})
    assert (detect_range(env, base="main").base, detect_range(env, base="main").head) == ("main", "HEAD")
    assert detect_range(env, head="HEAD~1").head == "HEAD~1"
    assert detect_range({}, base="v1", head="v2") == CiRange("local", "explicit range", "v1", "v2")


@pytest.mark.parametrize(
    ("env_kind", "event_name", "event", "message"),
    [
        ("none", "", {}, "no CI provider detected"),
        ("github", "workflow_dispatch", {}, "has no commit range"),
        ("github", "pull_request", "{not json", "not valid JSON"),
        ("github", "pull_request", {"pull_request": {"base": {}}}, "no `sha` field"),
        ("github", "pull_request", {"pull_request": {"base": {"sha": "$(rm -rf /)"}, "head": {"sha": B}}},
         "not a commit sha"),
        ("github-no-file", "pull_request", {}, "GITHUB_EVENT_PATH is not set"),
    ],
    ids=["no-provider", "unsupported-event", "bad-json", "missing-field", "not-a-sha", "no-event-file"],
)
def test_bad_environments_are_one_line_errors(tmp_path: Path, env_kind: str, event_name: str, event: Any,
                                              message: str) -> None:
    env: dict[str, str] = {}
    if env_kind == "github":
        env = github_env(tmp_path, event_name, event)
    elif env_kind == "github-no-file":
        env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name}
    with pytest.raises(FatalError, match=message.replace("(", r"\(").replace("$", r"\$")):
        detect_range(env)


# -- real repositories ---------------------------------------------------------------------------
def commit_file(repo: Path, name: str, text: str, message: str) -> str:
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def ci_env(**values: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_"))}
    return {**clean, "CI": "true", **values}


def run_ci(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("ci", *args, cwd=repo, env=env, env_is_whole=True)


def test_github_push_of_a_new_branch_checks_only_its_own_commits(git_repo: Path, tmp_path: Path) -> None:
    commit_file(git_repo, "old.py", f'KEY = "{aws_key_id(50)}"\n', "old secret on main")
    git(git_repo, "checkout", "-qb", "topic")
    new = commit_file(git_repo, "new.py", f'KEY = "{aws_key_id(51)}"\n', "new secret on topic")
    event = {"before": ZERO, "after": new, "ref": "refs/heads/topic", "created": True}
    proc = run_ci(git_repo, ci_env(**github_env(tmp_path, "push", event)), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["new.py"]
    assert "commits no other branch has" in proc.stderr


def test_github_force_push_falls_back_to_the_new_branch_rule(git_repo: Path, tmp_path: Path) -> None:
    commit_file(git_repo, "a.py", "a = 1\n", "base")
    git(git_repo, "checkout", "-qb", "topic")
    head = commit_file(git_repo, "b.py", f'KEY = "{aws_key_id(52)}"\n', "rewritten")
    event = {"before": "c" * 40, "after": head, "ref": "refs/heads/topic"}
    proc = run_ci(git_repo, ci_env(**github_env(tmp_path, "push", event)), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "force push" in proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["b.py"]


def test_deleted_branch_and_empty_repository_are_clean(git_repo: Path, tmp_path: Path) -> None:
    event = {"before": A, "after": ZERO, "ref": "refs/heads/gone", "deleted": True}
    proc = run_ci(git_repo, ci_env(**github_env(tmp_path, "push", event)))
    assert proc.returncode == 0 and "no commits yet" in proc.stderr
    commit_file(git_repo, "a.py", "a = 1\n", "base")
    proc = run_ci(git_repo, ci_env(**github_env(tmp_path, "push", event)))
    assert proc.returncode == 0 and "deleted a branch: nothing to scan" in proc.stderr


def test_head_missing_from_a_shallow_clone_says_how_to_fix_it(git_repo: Path, tmp_path: Path) -> None:
    base = commit_file(git_repo, "a.py", "a = 1\n", "one")
    commit_file(git_repo, "b.py", "b = 1\n", "two")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{git_repo}", str(clone))
    proc = run_ci(clone, ci_env(), "--base", base)
    assert proc.returncode == 2
    assert "fetch-depth: 0" in proc.stderr and "Traceback" not in proc.stderr


def test_no_fail_reports_but_exits_zero(git_repo: Path) -> None:
    base = commit_file(git_repo, "a.py", "a = 1\n", "base")
    commit_file(git_repo, "a.py", f'KEY = "{aws_key_id(53)}"\n', "secret")
    assert run_ci(git_repo, ci_env(), "--base", base).returncode == 1
    proc = run_ci(git_repo, ci_env(), "--base", base, "--no-fail", "--format", "junit")
    assert proc.returncode == 0 and "<failure" in proc.stdout


def test_bad_report_option_is_a_usage_error(git_repo: Path) -> None:
    base = commit_file(git_repo, "a.py", "a = 1\n", "base")
    proc = run_cli("ci", "--base", base, "--report", "pdf=x.pdf", cwd=git_repo, env=ci_env())
    assert proc.returncode == 2 and "FORMAT=FILE" in proc.stderr


@pytest.mark.subprocess
def test_gitlab_template_runs_and_writes_a_secret_detection_report(git_repo: Path, tmp_path: Path) -> None:
    template = yaml.safe_load((ROOT / "ci" / "gitlab-secretshift.yml").read_text(encoding="utf-8"))
    job = template["secretshift"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["artifacts"]["reports"]["secret_detection"] == "gl-secret-detection-report.json"
    assert any("pip install" in line for line in job["before_script"])  # installs the package: skipped here

    base = commit_file(git_repo, "settings.py", "DEBUG = True\n", "base")
    git(git_repo, "checkout", "-qb", "mr")
    added = commit_file(git_repo, "settings.py", f'DEBUG = True\nTOKEN = "{aws_key_id(54)}"\n', "add")
    head = commit_file(git_repo, "settings.py", "DEBUG = True\n", "remove")
    env = ci_env(
        GITLAB_CI="true", CI_MERGE_REQUEST_DIFF_BASE_SHA=base, CI_COMMIT_SHA=head, CI_COMMIT_BEFORE_SHA=ZERO,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **{k: str(v) for k, v in template["variables"].items()},
    )
    for line in job["script"]:
        proc = subprocess.run(["bash", "-c", line], cwd=git_repo, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr

    report = json.loads((git_repo / "gl-secret-detection-report.json").read_text(encoding="utf-8"))
    assert report["version"].startswith("15.")
    [vulnerability] = report["vulnerabilities"]
    assert vulnerability["category"] == "secret_detection"
    assert vulnerability["severity"] == "Critical"
    assert vulnerability["location"] == {
        "file": "settings.py", "start_line": 2, "end_line": 2,
        "commit": {"sha": added, "date": vulnerability["location"]["commit"]["date"]},
    }
    assert vulnerability["identifiers"][0]["value"] == "aws-access-key-id"
    assert {"id", "name", "description"} <= set(vulnerability)
    scan = report["scan"]
    assert scan["type"] == "secret_detection" and scan["status"] == "success"
    assert {"id", "name", "version", "vendor"} <= set(scan["analyzer"]) and {"id", "name", "version", "vendor"} <= set(scan["scanner"])
    for key in ("start_time", "end_time"):
        assert len(scan[key]) == 19 and scan[key][10] == "T"
    assert (git_repo / "secretshift-junit.xml").is_file() and (git_repo / "secretshift.sarif").is_file()
    assert aws_key_id(54) not in (git_repo / "gl-secret-detection-report.json").read_text()


@pytest.mark.subprocess
def test_hooks_ci_entry_point_is_the_ci_command(git_repo: Path) -> None:
    base = commit_file(git_repo, "a.py", "a = 1\n", "base")
    code = f"from secretshift.hooks.ci import main; raise SystemExit(main(['--base', {base!r}]))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=git_repo, env=ci_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "0 new finding(s)" in proc.stderr


def test_fails_only_on_findings_not_in_the_baseline(git_repo: Path, tmp_path: Path) -> None:
    import hashlib

    base = commit_file(git_repo, "a.py", "a = 1\n", "base")
    known, fresh = aws_key_id(70), aws_key_id(71)
    commit_file(git_repo, "a.py", f'OLD = "{known}"\nNEW = "{fresh}"\n', "two keys")

    def baseline(*secrets: str) -> Path:
        entries = [{"type": "AWS Access Key", "filename": "a.py", "hashed_secret": hashlib.sha1(s.encode()).hexdigest(),
                    "is_verified": False, "is_secret": True} for s in secrets]
        path = tmp_path / f"baseline-{len(secrets)}.json"
        path.write_text(json.dumps({"version": "1.5.0", "plugins_used": [], "filters_used": [],
                                    "results": {"a.py": entries}}), encoding="utf-8")
        return path

    env = ci_env()
    proc = run_ci(git_repo, env, "--base", base, "--baseline", str(baseline(known)), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["redacted"][:4] for f in report["findings"]] == [fresh[:4]]
    assert [f["line"] for f in report["accepted"]] == [1]

    sarif = tmp_path / "out.sarif"
    proc = run_ci(git_repo, env, "--base", base, "--baseline", str(baseline(known, fresh)), "--sarif", str(sarif))
    assert proc.returncode == 0, proc.stderr
    assert {r["level"] for r in json.loads(sarif.read_text())["runs"][0]["results"]} == {"note"}


def test_history_scan_honours_an_explicit_baseline(git_repo: Path, tmp_path: Path) -> None:
    import hashlib

    known = aws_key_id(72)
    commit_file(git_repo, "a.py", f'OLD = "{known}"\n', "key")
    commit_file(git_repo, "a.py", "OLD = None\n", "removed")
    entry = {"type": "AWS Access Key", "filename": "a.py", "hashed_secret": hashlib.sha1(known.encode()).hexdigest(),
             "is_verified": False}
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"version": "1.5.0", "results": {"a.py": [entry]}}), encoding="utf-8")
    assert run_cli("scan", "--history", cwd=git_repo).returncode == 1
    proc = run_cli("scan", "--history", "--baseline", str(path), cwd=git_repo)
    assert proc.returncode == 0, proc.stderr
    assert "1 accepted by the baseline" in proc.stderr
