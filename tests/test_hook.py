"""`secretshift hook`: the pre-commit entry point, its baseline lookup and its message."""
from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from secretshift.cli import COMMANDS
from tests.conftest import ROOT, git, run_cli
from tests.fakes import aws_key_id

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEY, OTHER = aws_key_id(31), aws_key_id(32)


def _manifest() -> list[dict[str, object]]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())  # type: ignore[no-any-return]


def _hook_module(hook: dict[str, object]) -> str:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    command, *rest = str(hook["entry"]).split()
    return COMMANDS[rest[0]][0] if command == "secretshift" else str(scripts[command].split(":")[0])


@pytest.mark.subprocess
@pytest.mark.parametrize("hook", _manifest(), ids=lambda h: str(h["id"]))
def test_every_hook_has_an_entry_point_and_a_readme_line(hook: dict[str, object]) -> None:
    module_name = _hook_module(hook)
    assert module_name.startswith("secretshift.hooks."), module_name
    module = importlib.import_module(module_name)
    assert Path(str(module.__file__)).parent == ROOT / "hooks"
    signature = inspect.signature(module.main)
    assert list(signature.parameters) == ["argv"] and signature.parameters["argv"].default is None
    assert signature.return_annotation in (int, "int")
    # `python -m secretshift.hooks.X --help`: the module runs as a script and exits through main().
    proc = subprocess.run([sys.executable, "-m", module_name, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: "), proc.stderr
    assert f"- `{hook['id']}` — " in (ROOT / "README.md").read_text()
    assert hook["language"] == "python"


@pytest.mark.parametrize("script", sorted(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]))
def test_every_console_script_goes_through_the_one_error_boundary(
        script: str, git_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A bug (not a user error) exits 2, never 1 ("findings"), and its message is never printed:
    it could quote input, and input may hold a secret."""
    import secretshift.cli

    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"][script]
    module_name, function = target.split(":")
    leaked = "AKIA" + "X" * 16

    def broken(module: str) -> object:
        raise RuntimeError(f"bug while handling {leaked}")

    entry = getattr(importlib.import_module(module_name), function)
    monkeypatch.chdir(git_repo)
    monkeypatch.setattr(secretshift.cli.importlib, "import_module", broken)  # the command module blows up
    assert entry(["scan", "."] if script == "secretshift" else []) == 2
    err = capsys.readouterr().err
    assert "internal error (RuntimeError)" in err and leaked not in err and "Traceback" not in err


@pytest.mark.subprocess
def test_manifest_keeps_the_detect_hook_read_only_and_the_others_serial() -> None:
    hooks = {h["id"]: h for h in _manifest()}
    assert hooks["secretshift"]["stages"] == ["pre-commit", "pre-push", "manual"]
    assert hooks["secretshift"]["types"] == ["file"]  # binary too: a staged .p12 reaches the hook
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


@pytest.mark.subprocess
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


@pytest.mark.subprocess
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


@pytest.mark.subprocess
def test_migrate_hook_runs_the_planner(git_repo: Path) -> None:
    proc = subprocess.run([str(Path(sys.executable).parent / "secretshift-migrate"), "--help"],
                          cwd=git_repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "usage: secretshift migrate plan" in proc.stdout


@pytest.mark.subprocess
def test_baseline_hook_updates_the_baseline(git_repo: Path) -> None:
    repo = _repo(git_repo)
    git(repo, "add", "-A")
    proc = subprocess.run([str(Path(sys.executable).parent / "secretshift-baseline")], cwd=repo,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads((repo / ".secrets.baseline").read_text())["results"]) == ["app.py"]


@pytest.mark.subprocess
def test_console_script_hook_exit_keeps_every_byte_of_a_long_report(git_repo: Path) -> None:
    # The console script skips the interpreter's teardown after a hook run (os._exit): the
    # report must still arrive whole through a pipe, far past the pipe's 64 KB buffer.
    from tests.fakes import github_token

    lines = [f'TOKEN_{n} = "{github_token(1000 + n)}"' for n in range(1200)]
    (git_repo / "tokens.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(git_repo, "add", "tokens.py")
    script = Path(sys.executable).parent / "secretshift"
    for command in ([str(script)], [sys.executable, "-m", "secretshift"]):
        proc = subprocess.run([*command, "hook", "tokens.py"], cwd=git_repo, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert len(proc.stdout) > 65536 and proc.stdout.count("  tokens.py:") == 1200
        assert "tokens.py:1200 " in proc.stdout and proc.stdout.endswith("\n")
