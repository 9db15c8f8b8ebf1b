"""The CI reporters: GitHub annotations, JUnit, GitLab, and the Markdown job summary."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from secretshift.hashing import hash_value
from secretshift.models import Finding, ScanResult, SecretValue, Skipped
from secretshift.report import ReportInput, reporters
from secretshift.report.github import command, escape_data, escape_property
from secretshift.report.summary import code, render_summary
from tests.fakes import aws_key_id

SECRET = aws_key_id(60)


def finding(path: str = "app/config.py", key: str | None = "AWS_KEY", commit: str | None = "f" * 40) -> Finding:
    return Finding(
        rule="aws-access-key-id", description="AWS access key id", path=path, line=3, column=12,
        end_line=3, end_column=32, secret=SecretValue(SECRET), key=key, commit=commit,
        author_date="2024-01-02T03:04:05+00:00" if commit else None, secret_hash=hash_value(SECRET, None),
    )


def render(fmt: str, findings: list[Finding], skipped: list[Skipped] | None = None, show: bool = False) -> str:
    result = ScanResult(findings=findings, skipped=skipped or [], files_scanned=4, bytes_scanned=100)
    return reporters()[fmt](ReportInput(result, [], show))


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),  # an already-escaped look-alike is escaped again, not passed through
    ],
    ids=["plain", "percent", "newlines", "colon-comma", "pre-escaped"],
)
def test_workflow_command_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_annotation_for_a_hostile_path_stays_one_command() -> None:
    hostile = "evil,line=1::\n::error file=x::forged.py"
    [line] = render("github", [finding(path=hostile)]).splitlines()
    assert line.startswith("::error file=evil%2Cline=1%3A%3A%0A%3A%3Aerror file=x%3A%3Aforged.py,line=3,")
    assert line.count("::") == 2
    assert command("warning", "m", title="a,b") == "::warning title=a%2Cb::m"


def test_github_annotations_never_show_the_secret() -> None:
    out = render("github", [finding()], [Skipped("big.bin", "too large")], show=True)
    assert SECRET not in out
    assert "AKIA*****" in out and "added in commit ffffffffffff on 2024-01-02" in out
    assert "::warning::secretshift skipped big.bin: too large" in out


def test_junit_one_failed_case_per_finding() -> None:
    text = render("junit", [finding(), finding(path="other\x01file.py", key=None, commit=None)])
    root = ET.fromstring(text)  # parses: valid XML, control characters escaped
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["app/config.py:3 aws-access-key-id", "other\\x01file.py:3 aws-access-key-id"]
    assert all(case.find("failure") is not None for case in cases)
    assert SECRET not in text


def test_junit_clean_scan_is_one_passing_case() -> None:
    root = ET.fromstring(render("junit", []))
    [case] = root.iter("testcase")
    assert case.find("failure") is None and root.get("failures") == "0" and root.get("tests") == "1"


def test_gitlab_report_ids_are_stable_and_unique() -> None:
    first = json.loads(render("gitlab", [finding(), finding(path="b.py")]))
    again = json.loads(render("gitlab", [finding(), finding(path="b.py")]))
    ids = [v["id"] for v in first["vulnerabilities"]]
    assert ids == [v["id"] for v in again["vulnerabilities"]] and len(set(ids)) == 2
    tree = json.loads(render("gitlab", [finding(commit=None)]))
    assert tree["vulnerabilities"][0]["location"]["commit"] == {"sha": "0000000"}


def test_summary_escapes_table_breakers_and_redacts() -> None:
    text = render_summary([finding(path="a|b`c\n.py")], [finding(path="kept.py")], [], 3, "range")
    row = next(line for line in text.splitlines() if "a\\|b" in line)
    assert row.count(" | ") == 6  # the cell separators only: the pipe in the path is escaped
    assert "`a\\|b'c .py`" in row
    assert "1 new secret in 3 commits" in text and "| baseline |" in text
    assert SECRET not in text
    assert code("") == ""


def test_summary_counts_every_baselined_finding_and_says_clean() -> None:
    text = render_summary([], [finding()], [], 5, "range", baselined=2)
    assert ":white_check_mark: secretshift: 0 new secrets in 5 commits" in text
    assert "3 finding(s) are already in the baseline" in text
    assert "rotate it" not in text  # the call to action is for new findings only
