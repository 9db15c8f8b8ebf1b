"""`secretshift adr check` reports: text, json, sarif, github, junit.

SARIF and GitHub annotations follow the scan reports' conventions (the same artifact URIs and
workflow-command escaping); every result carries its ADR clause.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from secretshift import __version__
from secretshift.adr.model import CHECKS, CLAUSES, AdrResult, Violation
from secretshift.report.github import command
from secretshift.report.sarif import SCHEMA, artifact_uri
from secretshift.textutil import json_text, printable_path

JSON_SCHEMA_VERSION = 1


def _message(v: Violation) -> str:
    suffix = f" [{v.expired_exception}]" if v.expired_exception else ""
    return f"{v.message}{suffix}"


def render_text(result: AdrResult) -> str:
    lines: list[str] = []
    for v in result.violations:
        where = f"{printable_path(v.path)}:{v.line}" if v.line else printable_path(v.path)
        lines.append(f"{where}  clause {v.clause}  {v.check}  {v.resource}")
        lines.append(f"    {_message(v)}")
        lines.extend("    fix: " + row if i == 0 else "         " + row for i, row in enumerate(v.fix.splitlines()))
    for s in result.skipped:
        lines.append(f"skipped {printable_path(s.path)}: {s.reason}")
    count = len(result.violations)
    summary = (f"{count} ADR 005 violation(s) in {result.files_checked} IaC file(s)" if count
               else f"no ADR 005 violations in {result.files_checked} IaC file(s)")
    if result.excepted:
        summary += f"; {len(result.excepted)} covered by exceptions"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _as_json(v: Violation) -> dict[str, Any]:
    return {"clause": v.clause, "check": v.check, "path": v.path, "line": v.line, "resource": v.resource,
            "message": _message(v), "fix": v.fix, "expired_exception": v.expired_exception or None}


def render_json(result: AdrResult) -> str:
    return json_text({
        "version": JSON_SCHEMA_VERSION,
        "tool": f"secretshift {__version__}",
        "violations": [_as_json(v) for v in result.violations],
        "excepted": [_as_json(v) for v in result.excepted],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "files_checked": result.files_checked,
    })


def render_sarif(result: AdrResult) -> str:
    checks = sorted(CHECKS.values(), key=lambda c: (c.clause, c.id))
    index = {c.id: i for i, c in enumerate(checks)}
    rules = [{
        "id": c.id,
        "name": "".join(part.capitalize() for part in c.id.split("-")),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": f"ADR 005 clause {c.clause}: {CLAUSES[c.clause]}. {c.title}."},
        "help": {"text": f"ADR 005 clause {c.clause}: {CLAUSES[c.clause]}."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "secrets", "iac", f"adr-005-clause-{c.clause}"], "clause": c.clause},
    } for c in checks]
    results = []
    for v in result.violations:
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact_uri(v.path)}}
        if v.line:
            location["physicalLocation"]["region"] = {"startLine": v.line}
        location["logicalLocations"] = [{"name": v.resource, "kind": "resource"}]
        results.append({
            "ruleId": v.check,
            "ruleIndex": index[v.check],
            "level": "error",
            "message": {"text": f"{_message(v)} (ADR 005 clause {v.clause}). Fix: {v.fix}"},
            "locations": [location],
            "partialFingerprints": {"adrViolation/v1": f"{v.check}:{v.path}:{v.resource}"},
            "properties": {"clause": v.clause, "resource": v.resource, "fix": v.fix},
        })
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "secretshift-adr", "informationUri": "https://github.com/secretshift/secretshift",
                            "semanticVersion": __version__, "version": __version__, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json_text({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})


def render_github(result: AdrResult) -> str:
    lines = []
    for v in result.violations:
        properties: dict[str, str | int] = {"file": v.path}
        if v.line:
            properties["line"] = v.line
        properties["title"] = f"ADR 005 clause {v.clause}: {v.check}"
        lines.append(command("error", f"{_message(v)} ({v.resource}). Fix: {v.fix}", **properties))
    lines += [command("warning", f"secretshift adr skipped {s.path}: {s.reason}") for s in result.skipped]
    return "\n".join(lines) + ("\n" if lines else "")


def render_junit(result: AdrResult) -> str:
    suite_name = "secretshift-adr"
    cases = []
    for v in result.violations:
        where = f"{printable_path(v.path)}:{v.line}"
        case = ET.Element("testcase", classname=f"{suite_name}.clause{v.clause}.{v.check}",
                          name=f"{where} {v.resource}", file=printable_path(v.path), line=str(v.line))
        failure = ET.SubElement(case, "failure", type=v.check, message=printable_path(_message(v)))
        failure.text = f"ADR 005 clause {v.clause}: {CLAUSES[v.clause]}\nFix:\n{printable_path(v.fix)}\n"
        cases.append(case)
    if not cases:
        cases = [ET.Element("testcase", classname=suite_name, name=f"no ADR 005 violations ({result.files_checked} files)")]
    counts = {"tests": str(len(cases)), "failures": str(len(result.violations)), "errors": "0", "skipped": "0"}
    root = ET.Element("testsuites", {"name": suite_name, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": suite_name, **counts})
    suite.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


RENDERERS: dict[str, Callable[[AdrResult], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
}
