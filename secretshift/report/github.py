"""GitHub Actions workflow commands: one ``::error`` annotation per finding, values redacted.

Escaping follows the runner's rules for workflow commands: in the message ``%``, CR and LF are
percent-encoded; in property values ``:`` and ``,`` are too, since they delimit the properties.
"""
from __future__ import annotations

from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.report.text import validation_note


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def finding_message(finding: Finding, accepted: bool = False) -> str:
    key = f" assigned to {finding.key}" if finding.key else ""
    where = ""
    if finding.commit:
        date = f" on {finding.author_date}" if finding.author_date else ""
        where = f" (added in commit {finding.commit[:12]}{date})"
    if accepted:
        advice = "It is in the baseline: still to be moved to AWS Secrets Manager and rotated."
    else:
        advice = "Move it to AWS Secrets Manager (secretshift migrate plan) and rotate it: it reached git history."
    return f"{finding.description}{key}: {finding.redacted}{where}{validation_note(finding)}. {advice}"


def annotation(finding: Finding, level: str = "error", accepted: bool = False) -> str:
    return command(
        level,
        finding_message(finding, accepted),
        file=finding.path,
        line=finding.line,
        endLine=finding.end_line,
        col=finding.column,
        endColumn=finding.end_column,
        title=f"secretshift: {finding.rule}",
    )


def render(report: ReportInput) -> str:
    # Plaintext never reaches a CI log, whatever --show-secrets says: logs are kept and shared.
    lines = [annotation(f) for f in report.result.findings]
    lines += [annotation(f, "notice", accepted=True) for f in report.accepted]
    lines += [command("warning", f"secretshift skipped {s.path}: {s.reason}") for s in report.result.skipped]
    return "\n".join(lines) + ("\n" if lines else "")
