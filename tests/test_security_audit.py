"""Item 9: `baseline audit` shows a finding's line with every secret on it masked, not only the
one being asked about (the terminal is shared, recorded, screen-shared)."""
from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.audit import _masked_line
from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from tests.conftest import run_cli
from tests.fakes import aws_key_id, aws_secret_access_key, github_token
from tests.test_audit import _answer_in_a_terminal

KEY, SECRET, TOKEN = aws_key_id(61), aws_secret_access_key(62), github_token(63)
# A line real code has: a client built with both halves of the key, and a token on the side.
LINE = f'client = boto3.client("s3", aws_access_key_id="{KEY}", aws_secret_access_key="{SECRET}")  # gh {TOKEN}\n'


@pytest.mark.subprocess
def test_the_audit_screen_masks_every_secret_on_the_line(git_repo: Path) -> None:
    (git_repo / "upload.py").write_text("import boto3\n" + LINE)
    assert run_cli("baseline", "create", cwd=git_repo).returncode == 0
    screen = _answer_in_a_terminal(git_repo, ["s", "s", "s", "s", "s"])
    assert "upload.py:2" in screen
    for secret in (KEY, SECRET, TOKEN):
        assert secret not in screen
        assert secret[8:] not in screen  # not even the tail of one


def test_masked_line_keeps_the_code_around_the_secrets() -> None:
    data = ("import boto3\n" + LINE).encode()
    findings = build_engine(Config()).scan(Blob("upload.py", data))
    assert len({f.secret_hash for f in findings}) >= 3
    for finding in findings:
        shown = _masked_line(finding, data, findings)
        assert shown.startswith('client = boto3.client("s3", aws_access_key_id="')
        assert all(secret not in shown for secret in (KEY, SECRET, TOKEN))
