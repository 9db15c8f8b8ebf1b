"""GitHub Actions workflow commands: one ``::error`` annotation per finding, values redacted.

Escaping follows the runner's rules for workflow commands: in the message ``%``, CR and LF are
percent-encoded; in property values ``:`` and ``,`` are too, since they delimit the properties.
"""
from __future__ import annotations

from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.report.text import validation_note


def escape_data(text: str) -> str:
    # Other control characters (a file name holding ESC [31m) would reach the log viewer raw.
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c in "\r\n" else
                       (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}") for c in text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def finding_message(finding: Finding, accepted: bool = False) -> str:
    # A detector's description may already name the key ("... assigned to DB_PASSWORD").
    key = ""
    if finding.key:
        key = f" (key {finding.key})" if "assigned to" in finding.description else f" assigned to {finding.key}"
    where = ""
    if finding.commit:
        date = f" on {finding.author_date}" if finding.author_date else ""
        where = f" (added in commit {finding.commit[:12]}{date})"
    from secretshift.fixhints import is_history_only

    if is_history_only(finding):
        advice = ("It is only in git history (no longer in this file): nothing to migrate; rotate it at its "
                  "provider now, then purge it from history if required (git filter-repo --replace-text).")
    elif accepted:
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
