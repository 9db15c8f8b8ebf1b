"""`secretshift scan` end to end: the real CLI (in this process, see conftest.run_cli; a marked few
as `python -m secretshift` in a subprocess) over real files and git repos."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git, run_cli, run_cli_subprocess

# Fake tokens made for these tests (valid checksums, never issued by anyone).
GITHUB_TOKEN = "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"
AWS_KEY_ID = "AKIAR5TQWZ3KD7NBX2LM"
PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBq9vN3kPzT7rX0aW2mYcLb8QeJ5uH1dS4fG6xV2nE0tAAAAJhXk3PtV5Nz\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


def _json(stdout: str) -> dict[str, object]:
    document = json.loads(stdout)
    assert isinstance(document, dict)
    return document


@pytest.mark.subprocess
def test_exit_codes_and_streams_of_the_real_process(tmp_path: Path) -> None:
    """What a shell sees from `python -m secretshift scan`: 0 clean, 1 findings, 2 usage, the
    report on stdout and the summary on stderr."""
    (tmp_path / "app.py").write_text("print('hello')\n")
    clean = run_cli_subprocess("scan", "--no-git", str(tmp_path))
    assert (clean.returncode, clean.stdout) == (0, "") and "0 secrets found in 1 file (" in clean.stderr
    (tmp_path / "settings.py").write_text(f'GITHUB_TOKEN = "{GITHUB_TOKEN}"\n')
    found = run_cli_subprocess("scan", "--no-git", "--format", "json", str(tmp_path))
    assert found.returncode == 1 and _json(found.stdout)["findings"]
    assert GITHUB_TOKEN not in found.stdout + found.stderr
    usage = run_cli_subprocess("scan", "--format", "nope", str(tmp_path))
    assert usage.returncode == 2 and "invalid choice" in usage.stderr and "Traceback" not in usage.stderr


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    proc = run_cli("scan", "--no-git", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "0 secrets found in 1 file (" in proc.stderr


def test_finding_exits_one_with_text_line_and_hint(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(f'import os\nGITHUB_TOKEN = "{GITHUB_TOKEN}"\n')
    proc = run_cli("scan", "--no-git", str(tmp_path))
    assert proc.returncode == 1
    first, hint = proc.stdout.splitlines()[:2]
    assert first == "settings.py:2:17 github-token ghp_***** key=GITHUB_TOKEN confidence=high"
    assert "secretshift migrate plan settings.py:2" in hint
    assert GITHUB_TOKEN not in proc.stdout + proc.stderr


def test_json_report_shape_and_positions(tmp_path: Path) -> None:
    # CRLF line endings and a non-ASCII character before the secret: columns count code points.
    (tmp_path / "conf.ini").write_bytes(
        f"[aws]\r\nnote = café\r\naws_access_key_id = {AWS_KEY_ID}\r\n".encode()
    )
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    assert proc.returncode == 1
    document = _json(proc.stdout)
    assert document["version"] == 1
    (finding,) = document["findings"]  # type: ignore[misc]
    assert finding == {
        "rule": "aws-access-key-id",
        "description": "AWS access key id",
        "path": "conf.ini",
        "line": 3,
        "column": 21,
        "end_line": 3,
        "end_column": 41,
        "key": "aws_access_key_id",
        "secret_hash": __import__("hashlib").sha1(AWS_KEY_ID.encode()).hexdigest(),
        "redacted": "AKIA*****",
        "commit": None,
        "confidence": "high",
    }


def test_file_argument_path_is_reported_as_given(tmp_path: Path) -> None:
    target = tmp_path / "token.txt"
    target.write_text(GITHUB_TOKEN + "\n")
    proc = run_cli("scan", "token.txt", "--format", "json", cwd=tmp_path)
    assert [f["path"] for f in _json(proc.stdout)["findings"]] == ["token.txt"]  # type: ignore[attr-defined]


def test_multiline_private_key_is_found_on_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "id_ed25519").write_text("# deploy key\n" + PRIVATE_KEY)
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    findings = _json(proc.stdout)["findings"]
    assert [(f["rule"], f["line"], f["end_line"]) for f in findings] == [("private-key", 2, 5)]  # type: ignore[attr-defined]


def test_invalid_utf8_is_scanned_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "latin1.cfg").write_bytes(b"caf\xe9 = 1\ntoken = " + GITHUB_TOKEN.encode() + b"\n")
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    assert proc.returncode == 1
    assert [f["line"] for f in _json(proc.stdout)["findings"]] == [2]  # type: ignore[attr-defined]


def test_binary_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "blob.dat").write_bytes(b"\x00\x01" + GITHUB_TOKEN.encode())
    proc = run_cli("scan", "--no-git", str(tmp_path))
    assert proc.returncode == 0


def test_large_file_is_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 5000 + GITHUB_TOKEN)
    proc = run_cli("scan", "--no-git", "--max-file-size", "1KB", "--format", "json", str(tmp_path))
    document = _json(proc.stdout)
    assert document["findings"] == []
    assert document["skipped"] == [{"path": "big.txt", "reason": "larger than the max file size (5040 > 1024 bytes)"}]
    text = run_cli("scan", "--no-git", "--max-file-size", "1KB", str(tmp_path))
    assert "skipped big.txt: larger than the max file size" in text.stdout
    assert "1 skipped" in text.stderr


def test_gitignore_is_respected_unless_no_git(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("local.env\n")
    (git_repo / "local.env").write_text(f"TOKEN={GITHUB_TOKEN}\n")
    (git_repo / "app.py").write_text("x = 1\n")
    git(git_repo, "add", "-A")
    assert run_cli("scan", str(git_repo)).returncode == 0
    assert run_cli("scan", "--no-git", str(git_repo)).returncode == 1
    assert run_cli("scan", "--all-files", str(git_repo)).returncode == 1


def test_untracked_files_in_git_tree_are_scanned(git_repo: Path) -> None:
    (git_repo / "new.py").write_text(f"t = '{GITHUB_TOKEN}'\n")
    assert run_cli("scan", str(git_repo)).returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "/definitely/not/here"], "path not found: /definitely/not/here"),
        (["scan", "--format", "xml", "."], "invalid choice: 'xml'"),
        (["scan", "--config", "/nope.toml", "."], "config file not found: /nope.toml"),
        (["scan", "--max-file-size", "lots", "."], "max_file_size must be a positive size"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
    ids=["missing-path", "bad-format", "missing-config", "bad-size", "bad-command"],
)
def test_usage_errors_exit_two_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[tool.secretshift\n", "invalid TOML"),
        ("[tool.secretshift]\nfrobs = 1\n", "unknown setting(s) frobs"),
        ("[tool.secretshift]\nexclude = 'x'\n", "`exclude` must be an array of strings"),
        ("[tool.secretshift]\nexclude = ['(unclosed']\n", "invalid or unsupported regex"),
        ("[[tool.secretshift.rules]]\nid = 'x'\ndescription = 'd'\nregex = '(a)\\1'\nkeywords = ['a']\n",
         "invalid or unsupported regex"),
    ],
    ids=["bad-toml", "unknown-key", "wrong-type", "bad-regex", "backreference-rule"],
)
def test_malformed_config_is_a_clear_error(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(config)
    proc = run_cli("scan", "--no-git", ".", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_config_disable_exclude_allowlist_and_extra_rules(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"{GITHUB_TOKEN}\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "b.txt").write_text(f"{AWS_KEY_ID}\n")
    (tmp_path / "c.txt").write_text("internal_token = acme_live_Zq8Xv2Lr9Tn4Wm7K\n")
    (tmp_path / ".secretshift.toml").write_text(
        "disable = ['github-token']\n"
        "exclude = ['^vendor/']\n"
        "[[rules]]\n"
        "id = 'acme-token'\n"
        "description = 'ACME internal token'\n"
        "keywords = ['acme_live_']\n"
        "regex = '(?P<secret>acme_live_[A-Za-z0-9]{16})'\n"
    )
    proc = run_cli("scan", "--no-git", "--format", "json", ".", cwd=tmp_path)
    rules = [(f["path"], f["rule"]) for f in _json(proc.stdout)["findings"]]  # type: ignore[attr-defined]
    assert rules == [("c.txt", "acme-token")]
    (tmp_path / ".secretshift.toml").write_text("[allowlist]\nregexes = ['^acme_live_']\nstopwords = ['gm1il']\n")
    proc = run_cli("scan", "--no-git", "--format", "json", "a.txt", "c.txt", cwd=tmp_path)
    assert _json(proc.stdout)["findings"] == []


def test_inline_allow_comments(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        f'a = "{GITHUB_TOKEN}"  # secretshift: allow\n'
        f'b = "{GITHUB_TOKEN}"  # pragma: allowlist secret\n'
        "# secretshift: allow\n"
        f'c = "{GITHUB_TOKEN}"\n'
        f'd = "{GITHUB_TOKEN}"\n'
    )
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    assert [f["line"] for f in _json(proc.stdout)["findings"]] == [5]  # type: ignore[attr-defined]


def test_output_file_and_show_secrets_refused_off_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"{GITHUB_TOKEN}\n")
    out = tmp_path / "report.json"
    proc = run_cli("scan", "--no-git", "--format", "json", "--output", str(out), "a.txt", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert GITHUB_TOKEN not in out.read_text()
    refused = run_cli("scan", "--no-git", "--show-secrets", "a.txt", cwd=tmp_path)
    assert refused.returncode == 2
    assert "only prints to a terminal" in refused.stderr
    assert GITHUB_TOKEN not in refused.stdout + refused.stderr


def test_rules_command_lists_json(tmp_path: Path) -> None:
    proc = run_cli("rules", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0
    ids = [r["id"] for r in json.loads(proc.stdout)]
    assert "github-token" in ids and ids == sorted(ids)
    text = run_cli("rules", cwd=tmp_path)
    assert any(line.startswith("github-token ") for line in text.stdout.splitlines())


def test_missing_optional_dependency_is_a_clear_error(tmp_path: Path) -> None:
    # As on an install without the `migrate` extra: importing boto3 fails.
    code = (
        "import sys; sys.modules['boto3'] = None\n"
        "from secretshift.cli import main\n"
        "raise SystemExit(main(['rotation', 'check', '--region', 'us-east-1']))\n"
    )
    proc = __import__("subprocess").run(
        [__import__("sys").executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2
    from secretshift.install import requirement

    assert f'`secretshift rotation` needs boto3, an optional dependency: pip install "{requirement("migrate")}"' in proc.stderr


def test_baseline_named_in_config_filters_the_scan(git_repo: Path) -> None:
    (git_repo / "old.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"\n')
    (git_repo / "pyproject.toml").write_text('[tool.secretshift]\nbaseline = "ci/accepted.baseline"\n')
    (git_repo / "ci").mkdir()
    created = run_cli("baseline", "create", "--baseline", "ci/accepted.baseline", ".", cwd=git_repo)
    assert created.returncode == 0, created.stderr
    clean = run_cli("scan", ".", cwd=git_repo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "1 accepted by the baseline" in clean.stderr
    (git_repo / "new.py").write_text(f'KEY = "{AWS_KEY_ID}"\n')
    dirty = run_cli("scan", "--format", "json", ".", cwd=git_repo)
    assert dirty.returncode == 1
    assert [f["path"] for f in _json(dirty.stdout)["findings"]] == ["new.py"]  # type: ignore[attr-defined]
