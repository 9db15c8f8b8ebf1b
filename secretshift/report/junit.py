"""JUnit XML for CI systems that read test reports: one failed test case per finding, and a
single passing case when the scan is clean (an empty suite reads as "no tests ran")."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.report.text import validation_note
from secretshift.textutil import printable_path

SUITE = "secretshift"


def _text(value: str) -> str:
    # XML 1.0 cannot hold most control characters even escaped; show them as escapes instead.
    return printable_path(value)


def _case(finding: Finding) -> ET.Element:
    where = f"{_text(finding.path)}:{finding.line}"
    case = ET.Element("testcase", classname=f"{SUITE}.{finding.rule}", name=f"{where} {finding.rule}",
                      file=_text(finding.path), line=str(finding.line))
    key = f" assigned to {_text(finding.key)}" if finding.key else ""
    commit = f" in commit {finding.commit}" if finding.commit else ""
    failure = ET.SubElement(case, "failure", type=finding.rule,
                            message=f"{finding.description}{key}: {_text(finding.redacted)}")
    failure.text = (
        f"{where}:{finding.column} {finding.rule} {_text(finding.redacted)}{commit}{validation_note(finding)}\n"
        "Move the secret to AWS Secrets Manager (secretshift migrate plan) and rotate it.\n"
    )
    return case


def render(report: ReportInput) -> str:
    findings = list(report.result.findings)
    cases = [_case(f) for f in findings]
    if not cases:
        scanned = report.result.files_scanned
        cases = [ET.Element("testcase", classname=SUITE, name=f"no secrets found ({scanned} files scanned)")]
    counts = {"tests": str(len(cases)), "failures": str(len(findings)), "errors": "0", "skipped": "0"}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    suite.extend(cases)
    for skipped in report.result.skipped:
        ET.SubElement(suite, "system-out").text = f"skipped {_text(skipped.path)}: {_text(skipped.reason)}\n"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
