"""The versioned JSON report (schema: ``version`` 1, documented in the README)."""
from __future__ import annotations

from secretshift.report import ReportInput
from secretshift.textutil import json_text

SCHEMA_VERSION = 1


def render(report: ReportInput) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "findings": [f.to_dict(report.show_secrets) for f in report.result.findings],
        "accepted": [f.to_dict(report.show_secrets) for f in report.accepted],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.result.skipped],
        "stats": {
            "files_scanned": report.result.files_scanned,
            "bytes_scanned": report.result.bytes_scanned,
            # `accepted` lists the baseline's entries labelled real (still to migrate); the
            # others it accepts (unlabelled, false positives) are only counted.
            "accepted_by_baseline": len(report.accepted) + report.baselined,
        },
    }
    return json_text(document)
