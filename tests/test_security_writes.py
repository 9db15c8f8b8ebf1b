"""Items 3, 10, 11, 12: report, baseline and hook writes cannot be redirected by symlinks or
predictable temp names a pull request plants, never land in `.git/` or (from repository config)
outside the repository; an odd file name or one failed report never stops the others."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git, run_cli
from tests.fakes import github_token

GITLAB_REPORTS = ["--report", "gitlab=gl-secret-detection-report.json", "--report", "junit=secretshift-junit.xml",
                  "--sarif", "secretshift.sarif"]  # what ci/gitlab-secretshift.yml runs


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the repository the attacker wants overwritten (as root: /etc/passwd)."""
    path = tmp_path / "victim.conf"
    path.write_text("root:x:0:0\n")
    path.chmod(0o644)
    return path


def _pr_with_symlinks(repo: Path, victim: Path, names: list[str]) -> tuple[str, str]:
    (repo / "README.md").write_text("# svc\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "config.py").write_text(f'API_TOKEN = "{github_token(41)}"\n')
    for name in names:
        (repo / name).symlink_to(victim)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr with symlinks")
    return base, git(repo, "rev-parse", "HEAD").strip()


def _untouched(victim: Path) -> None:
    assert victim.read_text() == "root:x:0:0\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644


@pytest.mark.subprocess
def test_gitlab_template_report_names_committed_as_symlinks_are_refused(git_repo: Path, victim: Path,
                                                                        tmp_path: Path) -> None:
    """The GitLab template's exact command, end to end; the JUnit name is not a symlink, so that
    report is still written, and the exit code says something went wrong."""
    base, head = _pr_with_symlinks(git_repo, victim, ["gl-secret-detection-report.json", "secretshift.sarif"])
    proc = run_cli("ci", *GITLAB_REPORTS, cwd=git_repo,
                   env={"GITLAB_CI": "true", "CI_COMMIT_SHA": head, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
                        "GITHUB_ACTIONS": ""})
    _untouched(victim)
    assert proc.returncode == 2
    assert "symlink" in proc.stderr and "gl-secret-detection-report.json" in proc.stderr
    assert "secretshift.sarif" in proc.stderr
    assert "<testsuite" in (git_repo / "secretshift-junit.xml").read_text()


def test_github_sarif_symlink_is_refused_and_outputs_still_written(git_repo: Path, victim: Path,
                                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    base, head = _pr_with_symlinks(git_repo, victim, ["secretshift.sarif"])
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
                        "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(git_repo)
    assert main(["ci", "--sarif", "secretshift.sarif"]) == 2
    _untouched(victim)
    assert "findings=1" in outputs.read_text()
    assert "config.py" in summary.read_text()
    assert "refusing to write 'secretshift.sarif'" in capsys.readouterr().err


def test_scan_output_symlink_is_refused(git_repo: Path, victim: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _pr_with_symlinks(git_repo, victim, ["report.json"])
    monkeypatch.chdir(git_repo)
    assert main(["scan", ".", "--format", "json", "-o", "report.json"]) == 2
    _untouched(victim)
    assert main(["scan", ".", "--format", "json", "-o", "/dev/null"]) == 1
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_scan_output_named_outside_the_repository_is_allowed(git_repo: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _pr_with_symlinks(git_repo, tmp_path / "unused", [])
    monkeypatch.chdir(git_repo)
    out = tmp_path / "reports" / "scan.sarif"
    out.parent.mkdir()
    assert main(["scan", ".", "--format", "sarif", "-o", str(out)]) == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_predictable_temp_names_are_not_used(git_repo: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 10: the old `.NAME.tmpPID` names, planted as symlinks for a range of pids."""
    _pr_with_symlinks(git_repo, victim, [])
    pid = os.getpid()
    for name in ("report.json", ".secrets.baseline"):
        for candidate in {pid, *range(pid - 3, pid + 3)}:
            (git_repo / f".{name}.tmp{candidate}").symlink_to(victim)
    monkeypatch.chdir(git_repo)
    assert main(["scan", ".", "--format", "json", "-o", "report.json"]) == 1
    assert main(["baseline", "create"]) == 0
    _untouched(victim)
    assert json.loads((git_repo / ".secrets.baseline").read_text())["results"]


@pytest.mark.parametrize("where", [".git/hooks/pre-commit", ".git/config", "../outside.baseline", "link/.secrets.baseline"])
def test_a_baseline_path_from_repository_config_cannot_escape(git_repo: Path, victim: Path, where: str,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Item 11: paths from the repository's config never write into .git/ or out of the repo."""
    _pr_with_symlinks(git_repo, victim, [])
    (git_repo / "link").symlink_to(victim.parent)
    (git_repo / ".secretshift.toml").write_text(f'baseline = "{where}"\n')
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    before = hook.read_bytes() if hook.exists() else None
    monkeypatch.chdir(git_repo)
    assert main(["baseline", "create", "--force"]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err
    assert (hook.read_bytes() if hook.exists() else None) == before
    assert not (git_repo.parent / "outside.baseline").exists()
    assert not (victim.parent / ".secrets.baseline").exists()


def test_a_baseline_named_on_the_command_line_may_lie_outside(git_repo: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _pr_with_symlinks(git_repo, tmp_path / "unused", [])
    monkeypatch.chdir(git_repo)
    target = tmp_path / "elsewhere.baseline"
    assert main(["baseline", "create", "--baseline", str(target)]) == 0
    assert json.loads(target.read_text())["results"]


def test_baseline_update_keeps_the_file_mode_and_refuses_a_symlinked_baseline(
        git_repo: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pr_with_symlinks(git_repo, victim, [])
    monkeypatch.chdir(git_repo)
    assert main(["baseline", "create"]) == 0
    baseline = git_repo / ".secrets.baseline"
    baseline.chmod(0o600)
    (git_repo / "more.py").write_text(f'OTHER_TOKEN = "{github_token(42)}"\n')
    assert main(["baseline", "update"]) == 0
    assert stat.S_IMODE(baseline.stat().st_mode) == 0o600
    baseline.unlink()
    baseline.symlink_to(victim)
    assert main(["baseline", "update"]) == 2
    _untouched(victim)


def test_install_hook_never_writes_through_a_planted_link(git_repo: Path, victim: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    hooks = git_repo / ".git" / "hooks"
    for candidate in range(os.getpid() - 3, os.getpid() + 3):
        (hooks / f".pre-commit.tmp{candidate}").symlink_to(victim)
    assert main(["install-hook"]) == 0
    _untouched(victim)
    assert os.access(hooks / "pre-commit", os.X_OK)
    assert "secretshift" in (hooks / "pre-commit").read_text()


def test_a_non_utf8_file_name_never_crashes_a_report(git_repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Item 12: a Latin-1 file name (bytes that are not UTF-8) with a secret, every report format."""
    (git_repo / "README.md").write_text("# svc\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "base")
    base = git(git_repo, "rev-parse", "HEAD").strip()
    name = os.fsdecode(b"caf\xe9-\x1b[31mred.env")
    (git_repo / name).write_text(f"TOKEN={github_token(43)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "latin-1 name")
    outputs = tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": base, "after": git(git_repo, "rev-parse", "HEAD").strip(),
                                 "ref": "refs/heads/main"}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.chdir(git_repo)
    reports = {"gitlab": "gl.json", "junit": "j.xml", "json": "r.json", "text": "r.txt", "github": "gh.txt"}
    argv = ["ci", "--sarif", "s.sarif", *[x for fmt, path in reports.items() for x in ("--report", f"{fmt}={path}")]]
    assert main(argv) == 1, capsys.readouterr().err
    out = capsys.readouterr()
    for path in ["s.sarif", *reports.values()]:
        text = (git_repo / path).read_bytes().decode("utf-8")  # valid UTF-8, whatever the name
        assert "\x1b" not in text, path  # a name cannot send terminal escapes through a report
    assert json.loads((git_repo / "gl.json").read_text())["vulnerabilities"]
    assert "findings=1" in outputs.read_text()
    assert "\x1b" not in out.out + out.err


@pytest.mark.parametrize(("fmt", "to_file"), [("text", False), ("json", False), ("github", False),
                                               ("sarif", True), ("junit", True), ("gitlab", True)])
def test_scan_reports_survive_a_non_utf8_name(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str], fmt: str, to_file: bool) -> None:
    (git_repo / os.fsdecode(b"legacy-\xff\xfe.env")).write_text(f"TOKEN={github_token(44)}\n")
    monkeypatch.chdir(git_repo)
    argv = ["scan", ".", "--no-git", "--format", fmt] + (["-o", "report.out"] if to_file else [])
    assert main(argv) == 1, capsys.readouterr().err
    text = (git_repo / "report.out").read_bytes().decode("utf-8") if to_file else capsys.readouterr().out
    assert "legacy-" in text
