"""Habits users bring from gitleaks and detect-secrets, and the errors a first hour runs into:
stdin scanning, selection flags, --explain, allow comments they already have, `baseline audit FILE`,
help with examples, clear errors and honest output. In process, from the user's side."""
from __future__ import annotations

import argparse
import io
import json
import random
import string
import sys
from pathlib import Path

import pytest

from secretshift.cli import COMMANDS, main
from secretshift.help_examples import EXAMPLES, command_paths
from tests.conftest import git
from tests.fakes import aws_access_key_id, github_token

_ALNUM = string.ascii_letters + string.digits


def _password(seed: int, size: int = 20) -> str:
    return "".join(random.Random(seed).choices(_ALNUM, k=size))


@pytest.fixture
def service(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small service: settings that read each other, an env file, a Helm values file."""
    monkeypatch.chdir(git_repo)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    (git_repo / "app").mkdir()
    (git_repo / "app" / "settings.py").write_text(
        "import os\n\nfrom app.defaults import TIMEOUT\n\n"
        f'DB_PASSWORD = "{_password(1)}"\n'
        'REDIS_PASSWORD = os.environ["REDIS_PASSWORD"]\n'
        f'LEGACY_TOKEN = "{_password(2)}"  # gitleaks:allow\n'
        f'SIGNING_KEY = "{_password(3, 32)}"  # pragma: allowlist secret\n'
    )
    (git_repo / "app" / "defaults.py").write_text("TIMEOUT = 30\n")
    (git_repo / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={aws_access_key_id(4)}\nLOG_LEVEL=info\n")
    (git_repo / "vendor").mkdir()
    (git_repo / "vendor" / "lib.py").write_text(f'api_token = "{_password(5)}"\n')
    git(git_repo, "add", "-A")
    return git_repo


def _json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 1) -> dict[str, object]:
    assert main([*argv, "--format", "json"]) == code
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _rules(report: dict[str, object]) -> set[tuple[str, str]]:
    return {(f["path"], f["rule"]) for f in report["findings"]}  # type: ignore[index, union-attr]


# -- allow comments they already have ---------------------------------------------------------
def test_gitleaks_and_detect_secrets_allow_comments_are_honoured(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, ["scan", "app"])
    lines = {f["line"] for f in report["findings"]}  # type: ignore[union-attr, index]
    assert 5 in lines and 7 not in lines and 8 not in lines


# -- standard input ---------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["scan", "-"], ["scan", "--stdin"]], ids=["dash", "flag"])
def test_stdin_is_one_file_with_a_display_name(argv: list[str], service: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token(6)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"export GH_TOKEN={token}\n".encode())))
    report = _json(capsys, [*argv, "--stdin-name", "ci/release.sh"])
    assert _rules(report) == {("ci/release.sh", "github-token")}
    assert token not in json.dumps(report)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"export GH_TOKEN={token}\n".encode())))
    assert main(argv) == 1
    text = capsys.readouterr().out
    assert text.startswith("<stdin>:1:") and "migrate plan" not in text and "piped in" in text


def test_stdin_name_decides_the_file_kind(service: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = f"replicaCount: 2\ndatabase:\n  password: {_password(7)}\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    report = _json(capsys, ["scan", "-", "--stdin-name", "charts/api/values.yaml"])
    finding = report["findings"][0]  # type: ignore[index]
    assert finding["path"] == "charts/api/values.yaml" and finding["key_path"] == "database.password"


def test_binary_stdin_is_skipped_and_said(service: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x00\x01\x02" * 100)))
    report = _json(capsys, ["scan", "-"], code=0)
    assert report["skipped"] == [{"path": "<stdin>", "reason": "binary input"}]


def test_dash_with_other_paths_is_an_error(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-", "app"]) == 2
    assert "standard input" in capsys.readouterr().err


# -- selection flags mirror the config --------------------------------------------------------
def test_exclude_and_rule_flags(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = _rules(_json(capsys, ["scan", "--no-baseline", "."]))
    assert ("vendor/lib.py", "generic-api-token") in everything
    assert ("deploy.env", "aws-access-key-id") in everything
    excluded = _rules(_json(capsys, ["scan", ".", "--exclude", "^vendor/"]))
    assert excluded == everything - {("vendor/lib.py", "generic-api-token")}
    only_aws = _rules(_json(capsys, ["scan", ".", "--enable-rule", "aws-access-key-id"]))
    assert only_aws == {("deploy.env", "aws-access-key-id")}
    without_aws = _rules(_json(capsys, ["scan", ".", "--disable-rule", "aws-access-key-id"]))
    assert without_aws == everything - {("deploy.env", "aws-access-key-id")}


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--enable-rule", "aws-acces-key-id", "unknown rule id(s): aws-acces-key-id"),
    ("--disable-rule", "jwtt", "unknown rule id(s): jwtt"),
    ("--exclude", "([", "invalid or unsupported regex: missing ]"),
])
def test_a_selection_mistake_is_an_error(flag: str, value: str, message: str, service: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", ".", flag, value]) == 2
    err = capsys.readouterr().err
    assert message in err and "b'" not in err


# -- --explain and --explain-dropped ----------------------------------------------------------
def test_explain_says_which_rule_and_which_checks(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "deploy.env", "app/settings.py", "-v"]) == 1
    err = capsys.readouterr().err
    aws = next(block for block in err.split("explain: ")[1:] if block.startswith("deploy.env:1"))
    assert "aws-access-key-id" in aws and "rule pack" in aws and "passed:" in aws
    generic = next(block for block in err.split("explain: ")[1:] if block.startswith("app/settings.py:5"))
    assert "key DB_PASSWORD" in generic and "kind python" in generic
    assert _password(1) not in err


@pytest.mark.parametrize(("target", "expected"), [
    ("app/settings.py:7", "dropped by an allow comment"),
    ("app/settings.py:8", "dropped by an allow comment"),
    ("app/settings.py:6", "os.environ"),  # a reference, never a secret
    ("app/settings.py:1", "no rule's keyword is on this line"),
    ("app/settings.py:5", "reported: generic-password"),
])
def test_explain_dropped_says_why(target: str, expected: str, service: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--explain-dropped", target]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"explain {target}:"), out
    if expected == "os.environ":
        assert "REDIS_PASSWORD" in out and "looks like" in out, out
    else:
        assert expected in out, out


def test_explain_dropped_names_config_and_checksum(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (service / ".secretshift.toml").write_text('disable = ["aws-access-key-id"]\n[allowlist]\nstopwords = ["legacy"]\n')
    broken = github_token(8)[:-1] + ("A" if github_token(8)[-1] != "A" else "B")  # checksum no longer valid
    (service / "ci.env").write_text(f"CLONE_WITH={broken}\nLEGACY_SECRET=legacy-{_password(9)}\n")
    assert main(["scan", "--explain-dropped", "deploy.env:1", "--explain-dropped", "ci.env:1",
                 "--explain-dropped", "ci.env:2"]) == 0
    out = capsys.readouterr().out
    assert "deploy.env:1:\n  aws-access-key-id AKIA*****: dropped by rule selection" in out
    assert "github-token" in out and "fails the `github_crc32` check" in out
    assert "dropped by the config's allowlist" in out
    assert broken not in out


def test_explain_dropped_rejects_a_bad_target(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--explain-dropped", "app/settings.py"]) == 2
    assert "PATH:LINE" in capsys.readouterr().err


# -- baseline audit FILE ----------------------------------------------------------------------
def test_baseline_audit_takes_the_file_as_detect_secrets_does(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "create", "--baseline", "ci/secrets.baseline"]) == 0
    capsys.readouterr()
    assert main(["baseline", "audit", "ci/secrets.baseline", "--report"]) == 0
    assert "AWS Access Key" in capsys.readouterr().out
    assert main(["baseline", "audit", "missing.baseline", "--report"]) == 2


# -- help, errors, output ---------------------------------------------------------------------
def _full_parser() -> argparse.ArgumentParser:
    from secretshift import cli

    parser = cli._parser(None)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                import importlib

                importlib.import_module(COMMANDS[name][0]).add_arguments(sub)
    return parser


def test_every_command_has_two_examples(capsys: pytest.CaptureFixture[str]) -> None:
    paths = command_paths(_full_parser())
    assert set(paths) <= set(EXAMPLES), sorted(set(paths) - set(EXAMPLES))
    for path in paths:
        assert len(EXAMPLES[path]) >= 2, path
        with pytest.raises(SystemExit):
            main([*path.split(), "--help"])
        out = capsys.readouterr().out
        assert "examples:\n" in out and all(line.split("  #")[0].strip() in out for line in EXAMPLES[path]), path


def test_unknown_option_is_reported_by_its_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--verbose-please"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: secretshift scan ")
    assert "secretshift: error: unrecognized arguments: --verbose-please (see `secretshift scan --help`)" in err
    assert "secretshift: error: secretshift" not in err


@pytest.mark.parametrize("argv", [["scan", "--staged"], ["hook"]], ids=["scan-staged", "hook"])
def test_outside_a_repository_the_error_says_so(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "not inside a git repository" in err and "usage: git" not in err and "--output" not in err


def test_json_fields_and_summary(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    structural = _json(capsys, ["scan", "--no-baseline", "app/settings.py"])["findings"][0]  # type: ignore[index]
    assert (structural["kind"], structural["group"]) == ("python", "app/settings.py")
    assert main(["baseline", "create", "app"]) == 0
    capsys.readouterr()
    assert main(["scan", "--format", "json", "app", "deploy.env"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    finding = report["findings"][0]
    assert finding["path"] == "deploy.env"
    assert report["stats"]["accepted_by_baseline"] == 1 and report["accepted"] == []
    assert "1 accepted by the baseline" in captured.err
    assert " 1 files" not in captured.err and "0.0 MB" not in captured.err
