"""`secretshift hook`: the pre-commit entry point, its baseline lookup and its message."""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from secretshift.cli import COMMANDS
from tests.conftest import ROOT, git, run_cli
from tests.fakes import aws_key_id

KEY, OTHER = aws_key_id(31), aws_key_id(32)


def _manifest() -> list[dict[str, object]]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("hook", _manifest(), ids=lambda h: str(h["id"]))
def test_every_hook_has_an_entry_point_and_a_readme_line(hook: dict[str, object]) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    command, *rest = str(hook["entry"]).split()
    if command == "secretshift":
        module = COMMANDS[rest[0]][0]
    else:
        module = scripts[command].split(":")[0]
    assert module.startswith("secretshift.hooks."), module
    hook_file = ROOT / "hooks" / (module.rsplit(".", 1)[1] + ".py")
    source = hook_file.read_text()
    assert "def main(argv: Sequence[str] | None = None) -> int:" in source
    assert 'raise SystemExit(main())' in source
    assert f"- `{hook['id']}` — " in (ROOT / "README.md").read_text()
    assert hook["language"] == "python"


def test_manifest_keeps_the_detect_hook_read_only_and_the_others_serial() -> None:
    hooks = {h["id"]: h for h in _manifest()}
    assert hooks["secretshift"]["stages"] == ["pre-commit", "pre-push", "manual"]
    assert hooks["secretshift"]["types"] == ["text"]
    assert hooks["secretshift-baseline"]["require_serial"] is True
    assert hooks["secretshift-migrate"]["require_serial"] is True
    assert hooks["secretshift-migrate"]["stages"] == ["manual"]


def _repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(f'import os\nAWS_KEY = "{KEY}"\n')
    (git_repo / "clean.py").write_text("x = 1\n")
    return git_repo


def test_failure_message_says_what_to_do(git_repo: Path) -> None:
    proc = run_cli("hook", "app.py", "clean.py", cwd=_repo(git_repo))
    assert proc.returncode == 1
    out = proc.stdout
    for expected in [
        "app.py:2  aws-access-key-id  AKIA*****  (assigned to AWS_KEY)",
        "secretshift migrate plan app.py:2",
        "secretshift migrate interactive",
        "# secretshift: allow",
        "secretshift baseline update app.py",
        "git add .secrets.baseline",
        "already reached a pushed commit",
        "rotate it",
    ]:
        assert expected in out, expected
    assert KEY not in out + proc.stderr


def test_accepted_real_secrets_are_listed_but_pass(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = True
    path.write_text(json.dumps(document))
    proc = run_cli("hook", "app.py", cwd=repo)
    assert proc.returncode == 0
    assert "1 secret accepted but still to migrate" in proc.stdout and "app.py:2" in proc.stdout


def test_false_positive_label_passes_silently(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    document = json.loads(path.read_text())
    document["results"]["app.py"][0]["is_secret"] = False
    path.write_text(json.dumps(document))
    proc = run_cli("hook", "app.py", cwd=repo)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_moved_lines_stay_accepted_and_the_baseline_is_not_rewritten(git_repo: Path) -> None:
    repo = _repo(git_repo)
    run_cli("baseline", "create", cwd=repo)
    path = repo / ".secrets.baseline"
    before, mtime = path.read_text(), path.stat().st_mtime_ns
    (repo / "app.py").write_text(f'"""doc"""\n\nimport os\n\n\nAWS_KEY = "{KEY}"\n')
    assert run_cli("hook", "app.py", cwd=repo).returncode == 0
    assert path.read_text() == before and path.stat().st_mtime_ns == mtime
    (repo / "app.py").write_text(f'AWS_KEY = "{KEY}"\nOTHER = "{OTHER}"\n')
    proc = run_cli("hook", "app.py", cwd=repo)
    assert proc.returncode == 1 and "app.py:2" in proc.stdout and "app.py:1 " not in proc.stdout


def test_baseline_option_config_and_subfolder(git_repo: Path) -> None:
    repo = _repo(git_repo)
    (repo / "sec").mkdir()
    run_cli("baseline", "create", "--baseline", "sec/base.json", cwd=repo)
    assert run_cli("hook", "app.py", cwd=repo).returncode == 1  # not at the default place
    assert run_cli("hook", "--baseline", "sec/base.json", "app.py", cwd=repo).returncode == 0
    (repo / "pyproject.toml").write_text('[tool.secretshift]\nbaseline = "sec/base.json"\n')
    assert run_cli("hook", "app.py", cwd=repo).returncode == 0
    missing = run_cli("hook", "--baseline", "nope.json", "app.py", cwd=repo)
    assert missing.returncode == 2 and "baseline not found: nope.json" in missing.stderr


def test_binary_and_excluded_files_are_not_scanned(git_repo: Path) -> None:
    repo = _repo(git_repo)
    (repo / "img.png").write_bytes(b"\x89PNG\0" + KEY.encode())
    (repo / "blob.dat").write_bytes(b"\0\0" + KEY.encode())
    (repo / ".secretshift.toml").write_text('exclude = ["^app\\\\.py$"]\n')
    proc = run_cli("hook", "img.png", "blob.dat", "app.py", cwd=repo)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_no_files_means_the_staged_changes(git_repo: Path) -> None:
    repo = _repo(git_repo)
    assert run_cli("hook", cwd=repo).returncode == 0  # nothing staged
    git(repo, "add", "app.py")
    proc = run_cli("hook", cwd=repo)
    assert proc.returncode == 1 and "app.py:2" in proc.stdout


@pytest.mark.parametrize(
    "command",
    [["secretshift-hook"], [sys.executable, "-m", "secretshift.hooks.detect"]],
    ids=["console-script", "python-m"],
)
def test_the_hook_module_is_the_same_entry_point(git_repo: Path, command: list[str]) -> None:
    repo = _repo(git_repo)
    if command[0] == "secretshift-hook":
        command = [str(Path(sys.executable).parent / "secretshift-hook")]
    proc = subprocess.run([*command, "app.py"], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 1 and "app.py:2  aws-access-key-id" in proc.stdout
    bad = subprocess.run([*command, "--baseline", "missing.json", "app.py"], cwd=repo, capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_hook_path_stays_light(git_repo: Path) -> None:
    """The commit hook must not pay for AWS, GitPython, YAML/CST rewriting or process pools."""
    repo = _repo(git_repo)
    code = (
        "import sys\n"
        "from secretshift.hooks.detect import main\n"
        "rc = main(['app.py', 'clean.py'])\n"
        "heavy = {'boto3', 'botocore', 'git', 'ruamel', 'libcst', 'concurrent.futures.process', 'jsonschema'}\n"
        "print(sorted(heavy & set(sys.modules)), rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[] 1", proc.stdout + proc.stderr


def test_migrate_hook_until_the_planner_exists(git_repo: Path) -> None:
    proc = subprocess.run([str(Path(sys.executable).parent / "secretshift-migrate"), "--help"],
                          cwd=git_repo, capture_output=True, text=True)
    if "migrate" in COMMANDS:
        assert proc.returncode == 0 and "not available" not in proc.stderr
    else:
        assert proc.returncode == 2 and "not available in this version" in proc.stderr


def test_baseline_hook_updates_the_baseline(git_repo: Path) -> None:
    repo = _repo(git_repo)
    git(repo, "add", "-A")
    proc = subprocess.run([str(Path(sys.executable).parent / "secretshift-baseline")], cwd=repo,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads((repo / ".secrets.baseline").read_text())["results"]) == ["app.py"]
