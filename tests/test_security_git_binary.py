"""Item 1: content git calls binary (UTF-16 files, `.gitattributes` `-diff`/`binary`) is still read
and scanned in every git-based scan: `ci`, `scan --diff/--history/--staged`, the pre-push hook.
Whatever is still skipped is listed, with its reason."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git, run_cli
from tests.fakes import aws_key_id, github_token


def _env_text(seed: int) -> str:
    # What a Windows user's PowerShell 5 `Set-Content`/`Out-File` leaves: CRLF lines.
    return f"# local settings\r\nDEBUG=true\r\nGITHUB_TOKEN={github_token(seed)}\r\nREGION=eu-west-1\r\n"


def _utf16_bom(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


def _commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def _base_repo(repo: Path) -> str:
    (repo / "README.md").write_text("# service\n")
    (repo / "app.py").write_text("import os\nTOKEN = os.environ['GITHUB_TOKEN']\n")
    return _commit_all(repo, "base")


# Each attack: files a pull request adds; the secret in them must be found.
ATTACKS: dict[str, dict[str, bytes]] = {
    "utf16-with-bom": {".env": _utf16_bom(_env_text(1))},
    "utf16-no-bom": {"config/.env.local": _env_text(2).encode("utf-16-le")},
    "utf16-big-endian": {"deploy.env": b"\xfe\xff" + _env_text(3).encode("utf-16-be")},
    "utf32": {"settings.env": b"\xff\xfe\x00\x00" + _env_text(4).encode("utf-32-le")},
    "gitattributes-minus-diff": {".gitattributes": b"* -diff\n", ".env": _env_text(5).encode()},
    "gitattributes-binary": {".gitattributes": b"*.env binary\n", "prod.env": _env_text(6).encode()},
    "gitattributes-diff-driver": {".gitattributes": b"*.env diff=nothing\n", "x.env": _env_text(7).encode()},
}


def _attack(repo: Path, files: dict[str, bytes]) -> tuple[str, str]:
    base = _base_repo(repo)
    for name, data in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    git(repo, "config", "diff.nothing.binary", "true")
    head = _commit_all(repo, "add local settings")
    return base, head


def _json_report(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, object]]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def _secret_paths(report: dict[str, object]) -> set[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["path"] for f in findings if f["rule"].startswith("github")}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_ci_finds_secrets_git_calls_binary(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch, attack: str) -> None:
    base, head = _attack(git_repo, ATTACKS[attack])
    monkeypatch.chdir(git_repo)
    code, report = _json_report(capsys, ["ci", "--base", base, "--head", head, "--format", "json"])
    secret_file = next(name for name in ATTACKS[attack] if name != ".gitattributes")
    assert _secret_paths(report) == {secret_file}
    assert code == 1


@pytest.mark.parametrize("mode", ["diff", "history"])
@pytest.mark.parametrize("attack", ["utf16-with-bom", "gitattributes-minus-diff"])
def test_scan_diff_and_history_find_them(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                         attack: str, mode: str) -> None:
    base, head = _attack(git_repo, ATTACKS[attack])
    range_args = ["--diff", f"{base}..{head}"] if mode == "diff" else ["--history"]
    code, report = _json_report(capsys, ["scan", str(git_repo), *range_args, "--format", "json"])
    assert _secret_paths(report) == {next(n for n in ATTACKS[attack] if n != ".gitattributes")}
    assert code == 1


@pytest.mark.parametrize("attack", ["utf16-with-bom", "utf16-no-bom", "gitattributes-binary"])
def test_staged_scan_finds_them(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch, attack: str) -> None:
    _base_repo(git_repo)
    for name, data in ATTACKS[attack].items():
        (git_repo / name).parent.mkdir(parents=True, exist_ok=True)
        (git_repo / name).write_bytes(data)
    git(git_repo, "add", "-A")
    monkeypatch.chdir(git_repo)
    code, report = _json_report(capsys, ["scan", "--staged", "--format", "json"])
    assert _secret_paths(report) == {next(n for n in ATTACKS[attack] if n != ".gitattributes")}
    assert code == 1
    assert main(["hook"]) == 1  # the plain commit hook reads the index the same way
    assert "GITHUB_TOKEN" in capsys.readouterr().out


@pytest.mark.subprocess
def test_pre_push_hook_finds_them(git_repo: Path, tmp_path: Path) -> None:
    """End to end: a real `git push` runs the installed pre-push hook, which must refuse."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    _base_repo(git_repo)
    git(git_repo, "remote", "add", "origin", str(remote))
    git(git_repo, "push", "-q", "origin", "HEAD:refs/heads/main")
    git(git_repo, "fetch", "-q", "origin")
    (git_repo / ".gitattributes").write_text("*.env -diff\n")
    (git_repo / "ci.env").write_text(_env_text(8))
    _commit_all(git_repo, "settings")
    proc = run_cli("hook", "--pre-push", "origin", str(remote), cwd=git_repo,
                   input=f"refs/heads/main {git(git_repo, 'rev-parse', 'HEAD').strip()} refs/heads/main "
                         f"{git(git_repo, 'rev-parse', 'origin/main').strip()}\n".encode())
    assert proc.returncode == 1, proc.stderr
    assert "ci.env" in proc.stdout


def test_a_changed_utf16_file_reports_only_its_new_secret(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines of a binary-flagged file are judged against its previous version: an old secret is
    not blamed on every later commit that touches the file."""
    base = _base_repo(git_repo)
    first = f"A_KEY={aws_key_id(11)}\r\n"
    (git_repo / "win.env").write_bytes(_utf16_bom(first))
    _commit_all(git_repo, "one")
    (git_repo / "win.env").write_bytes(_utf16_bom(first + f"GITHUB_TOKEN={github_token(12)}\r\n"))
    second = _commit_all(git_repo, "two")
    monkeypatch.chdir(git_repo)
    code, report = _json_report(capsys, ["ci", "--base", base, "--head", second, "--format", "json"])
    findings = report["findings"]
    assert isinstance(findings, list)
    by_commit = sorted((f["commit"] == second, f["line"]) for f in findings)
    assert by_commit == [(False, 1), (True, 2)], findings
    assert code == 1


def test_what_is_still_skipped_is_listed_with_its_reason(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    base = _base_repo(git_repo)
    # Real binary content (NUL bytes all over, no text encoding) that still holds a token.
    blob = bytes(range(256)) * 4 + f"GITHUB_TOKEN={github_token(13)}".encode() + b"\x00\x01" * 64
    (git_repo / "assets").mkdir()
    (git_repo / "assets" / "blob.dat").write_bytes(blob)
    head = _commit_all(git_repo, "binary asset")
    summary = tmp_path / "summary.md"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    monkeypatch.chdir(git_repo)
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
                        "GITHUB_EVENT_PATH": str(event), "GITHUB_STEP_SUMMARY": str(summary)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    code, report = _json_report(capsys, ["ci", "--format", "json"])
    skipped = report["skipped"]
    assert isinstance(skipped, list)
    assert [s["path"] for s in skipped] == ["assets/blob.dat"]
    assert "binary" in skipped[0]["reason"]
    assert "assets/blob.dat" in summary.read_text() and "binary" in summary.read_text()
    assert code == 0


@pytest.mark.subprocess
def test_ci_subprocess_utf16_env_fails_the_gate(git_repo: Path) -> None:
    """The reported attack, replayed with the real CLI: a PowerShell-written `.env`."""
    base, head = _attack(git_repo, ATTACKS["utf16-with-bom"])
    proc = run_cli("ci", "--base", base, "--head", head, cwd=git_repo, env={**os.environ, "GITHUB_ACTIONS": ""})
    assert proc.returncode == 1, proc.stderr
    assert "1 new finding" in proc.stderr


@pytest.mark.parametrize("mode", ["ci", "staged"])
def test_a_binary_file_name_does_not_hide_text(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """`creds.png` holding plain text: git shows a text patch, so the name must not skip it."""
    base = _base_repo(git_repo)
    (git_repo / "creds.png").write_text(_env_text(14))
    git(git_repo, "add", "-A")
    monkeypatch.chdir(git_repo)
    if mode == "ci":
        head = _commit_all(git_repo, "not an image")
        argv = ["ci", "--base", base, "--head", head, "--format", "json"]
    else:
        argv = ["scan", "--staged", "--format", "json"]
    code, report = _json_report(capsys, argv)
    assert _secret_paths(report) == {"creds.png"}
    assert code == 1
