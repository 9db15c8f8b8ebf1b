"""Item 2: a pull request cannot configure its own gate. `ci` obeys the base commit's config and
baseline; the PR's changes to them are listed, and widening ones need --trust-head-config."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git, run_cli
from tests.fakes import aws_key_id, github_token

TOKEN = github_token(31)


def _base(repo: Path, files: dict[str, str] | None = None) -> str:
    (repo / "README.md").write_text("# payments service\n")
    (repo / "app").mkdir()
    (repo / "app" / "main.py").write_text("from app.settings import TOKEN\n")
    for name, text in (files or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return git(repo, "rev-parse", "HEAD").strip()


def _pull_request(repo: Path, files: dict[str, str], secret_file: str = "app/settings.py") -> str:
    (repo / secret_file).parent.mkdir(parents=True, exist_ok=True)
    (repo / secret_file).write_text(f'# TODO move to vault\nTOKEN = "{TOKEN}"\n' + "#\n" * 800)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add settings")
    return git(repo, "rev-parse", "HEAD").strip()


WIDENING = {
    "exclude": {".secretshift.toml": 'exclude = ["^app/settings"]\n'},
    "disable": {".secretshift.toml": 'disable = ["github-token"]\n'},
    "enable-other": {".secretshift.toml": 'enable = ["aws-access-key-id"]\n'},
    "allowlist-regex": {".secretshift.toml": '[allowlist]\nregexes = ["^ghp_"]\n'},
    "allowlist-path": {".secretshift.toml": '[allowlist]\npaths = ["settings"]\n'},
    "stopword": {".secretshift.toml": f'[allowlist]\nstopwords = ["{TOKEN[4:10]}"]\n'},
    "small-size": {".secretshift.toml": 'max_file_size = "1KB"\n'},
    "pyproject": {"pyproject.toml": '[project]\nname = "x"\n[tool.secretshift]\nexclude = ["^app/"]\n'},
    "config-baseline-key": {".secretshift.toml": 'baseline = "ci/accepted.baseline"\n'},
}


def _ci(repo: Path, base: str, head: str, *extra: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        code = main(["ci", "--base", base, "--head", head, *extra])
    finally:
        os.chdir(cwd)
    return code, ""


@pytest.mark.parametrize("attack", sorted(WIDENING))
def test_a_widening_config_in_the_pr_is_ignored(git_repo: Path, capsys: pytest.CaptureFixture[str], attack: str) -> None:
    base = _base(git_repo)
    files = dict(WIDENING[attack])
    if attack == "config-baseline-key":
        files["ci/accepted.baseline"] = _baseline_accepting(git_repo, TOKEN)
    head = _pull_request(git_repo, files)
    code, _ = _ci(git_repo, base, head)
    err = capsys.readouterr().err
    assert code == 1, err
    assert "widens:" in err and "--trust-head-config" in err
    if attack == "disable":
        return  # the generic assignment detector still reports `TOKEN = "..."`: no green run to show
    code, _ = _ci(git_repo, base, head, "--trust-head-config")
    assert code == 0, capsys.readouterr().err


def _baseline_accepting(repo: Path, secret: str) -> str:
    import hashlib

    digest = hashlib.sha1(secret.encode()).hexdigest()
    return json.dumps({"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": {
        "app/settings.py": [{"type": "GitHub Token", "filename": "app/settings.py", "hashed_secret": digest,
                             "is_verified": False, "line_number": 2}]}}, indent=2) + "\n"


@pytest.mark.parametrize("explicit", [False, True], ids=["default-name", "--baseline"])
def test_a_baseline_entry_added_by_the_pr_does_not_accept_its_secret(
        git_repo: Path, capsys: pytest.CaptureFixture[str], explicit: bool) -> None:
    """The reported attack: the PR adds its own secret's SHA-1 to the baseline."""
    base = _base(git_repo, {".secrets.baseline": json.dumps({"version": "1.5.0", "results": {}}) + "\n"})
    head = _pull_request(git_repo, {".secrets.baseline": _baseline_accepting(git_repo, TOKEN)})
    flags = ["--baseline", ".secrets.baseline"] if explicit else []
    code, _ = _ci(git_repo, base, head, *flags)
    err = capsys.readouterr().err
    assert code == 1, err
    assert "adds 1 baseline entry (app/settings.py)" in err


def test_an_explicit_config_path_is_read_at_the_base_too(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _base(git_repo, {"ci/secretshift.toml": 'exclude = ["^docs/"]\n'})
    head = _pull_request(git_repo, {"ci/secretshift.toml": 'exclude = ["^docs/", "^app/"]\n'})
    code, _ = _ci(git_repo, base, head, "--config", "ci/secretshift.toml")
    assert code == 1
    assert "excludes paths matching '^app/'" in capsys.readouterr().err


def test_a_config_outside_the_repository_is_the_workflows_own(git_repo: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "org-policy.toml"
    outside.write_text('exclude = ["^app/settings"]\n')
    base = _base(git_repo)
    head = _pull_request(git_repo, {})
    code, _ = _ci(git_repo, base, head, "--config", str(outside))
    assert code == 0, capsys.readouterr().err


def test_a_narrowing_change_applies_without_the_flag(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The PR removes an exclude: the stricter config is used, and the change is listed."""
    base = _base(git_repo, {".secretshift.toml": 'exclude = ["^legacy/"]\n'})
    (git_repo / "legacy").mkdir()
    (git_repo / "legacy" / "old.py").write_text(f'KEY = "{aws_key_id(32)}"\n')
    head = _pull_request(git_repo, {".secretshift.toml": "exclude = []\n"}, secret_file="legacy/settings.py")
    code, _ = _ci(git_repo, base, head)
    err = capsys.readouterr().err
    assert code == 1
    assert "narrows: stops excluding '^legacy/'" in err and "widens" not in err


def test_a_pr_cannot_smuggle_a_rule_file(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule files named by the base config are read at the base as well."""
    rule = ('[[rules]]\nid = "internal-token"\ndescription = "internal"\nregex = \'\'\'(?P<secret>itk_[a-z0-9]{24})\'\'\'\n'
            'keywords = ["itk_"]\n')
    base = _base(git_repo, {".secretshift.toml": 'rule_files = ["ci/rules.toml"]\n', "ci/rules.toml": rule})
    head = _pull_request(git_repo, {"ci/rules.toml": rule.replace("itk_", "zzz_")})
    code, _ = _ci(git_repo, base, head)
    err = capsys.readouterr().err
    assert code == 1
    assert "changes custom rule 'internal-token'" in err


@pytest.mark.subprocess
def test_the_summary_lists_the_changes(git_repo: Path, tmp_path: Path) -> None:
    """End to end with the real CLI and a GitHub pull_request event."""
    base = _base(git_repo)
    head = _pull_request(git_repo, WIDENING["exclude"])
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    proc = run_cli("ci", "--sarif", "secretshift.sarif", cwd=git_repo, env=env)
    assert proc.returncode == 1, proc.stderr
    text = summary.read_text()
    assert "widens: excludes paths matching" in text and "--trust-head-config" in text
    assert "findings=1" in outputs.read_text()
    assert TOKEN not in text + proc.stdout + proc.stderr + (git_repo / "secretshift.sarif").read_text()


def test_a_symlinked_config_folder_cannot_pick_the_base_file(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--config ci/secretshift.toml`: the PR turns `ci/` into a symlink to a folder of its own;
    the gate still reads `ci/secretshift.toml` at the base, not the file the link leads to."""
    strict = 'rule_files = ["rules.toml"]\n'
    rule = ('[[rules]]\nid = "internal-token"\ndescription = "internal"\nregex = \'\'\'(?P<secret>itk_[a-z0-9]{24})\'\'\'\n'
            'keywords = ["itk_"]\n')
    base = _base(git_repo, {"ci/secretshift.toml": strict, "ci/rules.toml": rule})
    git(git_repo, "rm", "-rq", "ci")
    (git_repo / "mine").mkdir()
    (git_repo / "mine" / "secretshift.toml").write_text("")
    (git_repo / "ci").symlink_to("mine")
    (git_repo / "app").mkdir(exist_ok=True)
    (git_repo / "app" / "internal.py").write_text('TOKEN = "itk_' + "a1b2c3d4e5f6g7h8i9j0k1l2" + '"\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "pr")
    code, _ = _ci(git_repo, base, "HEAD", "--config", "ci/secretshift.toml")
    err = capsys.readouterr().err
    assert code == 1, err
    assert "removes custom rule 'internal-token'" in err
