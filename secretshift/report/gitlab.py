"""GitLab's Secret Detection report (security report schema 15.x), for `artifacts:reports:
secret_detection`. Per-vulnerability `scanner`/`cve` were dropped in schema 15; the scanner is
described once in `scan`."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from secretshift import __version__
from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.report.text import validation_note
from secretshift.textutil import json_text

SCHEMA_VERSION = "15.0.7"
_NAMESPACE = uuid.UUID("6f1d3c52-9a5e-4c1b-8f0e-5d2b7a4e9c31")
_VENDOR = {"name": "secretshift"}
_TOOL = {"id": "secretshift", "name": "secretshift", "version": __version__,
         "url": "https://github.com/secretshift/secretshift", "vendor": _VENDOR}


def _vulnerability(finding: Finding) -> dict[str, Any]:
    key = f" assigned to `{finding.key}`" if finding.key else ""
    identity = "\0".join((finding.commit or "", finding.path, finding.rule, finding.secret_hash, str(finding.line)))
    # A file name with undecodable bytes holds lone surrogates, which uuid5 cannot hash as UTF-8.
    identity = identity.encode("utf-8", "backslashreplace").decode("utf-8")
    commit: dict[str, Any] = {"sha": finding.commit or "0000000"}
    if finding.author_date:
        commit["date"] = finding.author_date
    return {
        "id": str(uuid.uuid5(_NAMESPACE, identity)),
        "category": "secret_detection",
        "name": finding.description,
        "description": (
            f"{finding.description}{key} ({finding.redacted}){validation_note(finding)}. A secret that reached git history must be "
            "rotated; move it to AWS Secrets Manager with `secretshift migrate plan`."
        ),
        "severity": "Critical",
        "location": {
            "file": finding.path,
            "start_line": finding.line,
            "end_line": finding.end_line,
            "commit": commit,
        },
        "identifiers": [
            {"type": "secretshift_rule_id", "name": f"secretshift rule {finding.rule}", "value": finding.rule},
        ],
    }


def render(report: ReportInput) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    document = {
        "version": SCHEMA_VERSION,
        "vulnerabilities": [_vulnerability(f) for f in report.result.findings],
        "scan": {
            "analyzer": _TOOL,
            "scanner": _TOOL,
            "type": "secret_detection",
            "status": "success",
            "start_time": now,
            "end_time": now,
        },
    }
    return json_text(document)
