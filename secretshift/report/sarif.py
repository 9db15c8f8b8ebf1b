"""SARIF 2.1.0 for code-scanning tools, fingerprinted by content so alerts survive line moves."""
from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from secretshift import __version__
from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.textutil import json_text

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "secretHash/v1"
# A finding's confidence sets its SARIF level and rank (0-100, higher = more likely real), so
# code-scanning UIs sort and filter by it.
LEVEL = {"high": "error", "medium": "warning", "low": "note"}
RANK = {"high": 90.0, "medium": 60.0, "low": 30.0}
_PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def artifact_uri(path: str) -> dict[str, str]:
    posix = path.replace(os.sep, "/")  # a backslash is a legal name character on POSIX
    # Percent-encode the file name's bytes: exact even for names that are not valid UTF-8.
    encoded = quote(os.fsencode(posix), safe="/")
    if PurePosixPath(posix).is_absolute():
        return {"uri": "file://" + encoded}
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, rule_index: dict[str, int], show: bool, level: str) -> dict[str, Any]:
    value = finding.secret.reveal() if show else finding.redacted
    key = f" assigned to `{finding.key}`" if finding.key else ""
    text = f"{finding.description}{key}: {value}. Move it to AWS Secrets Manager (secretshift migrate plan) and rotate it."
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": level or LEVEL.get(finding.confidence, "warning"),
        "rank": RANK.get(finding.confidence, 60.0),
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_uri(finding.path),
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: finding.secret_hash},
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    properties: dict[str, Any] = {"confidence": finding.confidence}
    if finding.commit:
        properties["commit"] = finding.commit
    if finding.author_date:
        properties["authorDate"] = finding.author_date
    if finding.key:
        properties["key"] = finding.key
    if finding.validation is not None:
        properties["validation"] = finding.validation.to_dict()
    result["properties"] = properties
    return result


def render(report: ReportInput) -> str:
    rules = sorted({r.id: r for r in report.rules}.values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [
        {
            "id": rule.id,
            "name": "".join(part.capitalize() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": f"{rule.description} ({rule.provider or 'generic'})."},
            "help": {
                "text": "Remove the secret from the code, store it in AWS Secrets Manager and fetch "
                "it at runtime (`secretshift migrate plan PATH:LINE`). A secret that reached git "
                "history must also be rotated at its provider.",
            },
            "defaultConfiguration": {"level": LEVEL.get(rule.confidence, "warning")},
            "properties": {"tags": ["security", "secret"], "precision": _PRECISION.get(rule.confidence, "medium")},
        }
        for rule in rules
    ]
    results = [_result(f, index, report.show_secrets, "") for f in report.result.findings]
    results += [_result(f, index, report.show_secrets, "note") for f in report.accepted]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "secretshift",
                "informationUri": "https://github.com/secretshift/secretshift",
                "semanticVersion": __version__,
                "version": __version__,
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    notes = [
        {"message": {"text": f"skipped {s.path}: {s.reason}"}, "level": "warning", "descriptor": {"id": "skipped-file"}}
        for s in report.result.skipped
    ]
    if notes:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notes}]
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(document)
