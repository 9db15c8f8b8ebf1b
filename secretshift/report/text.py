"""One line per finding, `path:line:col rule redacted`, and how to fix it."""
from __future__ import annotations

from secretshift.models import Finding
from secretshift.report import ReportInput
from secretshift.textutil import printable_path, shell_word


def finding_line(finding: Finding, show_secret: bool = False) -> str:
    value = finding.secret.reveal() if show_secret else finding.redacted
    where = f"{printable_path(finding.path)}:{finding.line}:{finding.column}"
    commit = f" (commit {finding.commit[:12]})" if finding.commit else ""
    key = f" key={printable_path(finding.key)}" if finding.key else ""
    return f"{where} {finding.rule} {printable_path(value)}{key} confidence={finding.confidence}{commit}{validation_note(finding)}"


def validation_note(finding: Finding) -> str:
    """` [valid: login=octo]`, ` [error: timed out ...]`: what `--validate` found, when it ran."""
    validation = finding.validation
    if validation is None:
        return ""
    detail = ", ".join(f"{k}={v}" for k, v in validation.identity)
    if validation.status in ("error", "unknown") and validation.reason:
        detail = f"{detail}; {validation.reason}" if detail else validation.reason
    return printable_path(f" [{validation.status}{': ' + detail if detail else ''}]")


def fix_hint(finding: Finding) -> str:
    from secretshift.fixhints import history_only_hint, is_history_only

    if is_history_only(finding):
        return history_only_hint(finding)
    if finding.context_value("from_stdin") == "1":
        return "  fix: it was piped in: fix it in the file it came from (`secretshift scan PATH` names the line)"
    target = shell_word(f"{finding.path}:{finding.line}")
    separator = "-- " if finding.path.startswith("-") else ""  # not an option, whatever the name
    return (
        f"  fix: secretshift migrate plan {separator}{target}  "
        "(or mark a false positive with a `secretshift: allow` comment)"
    )


def render(report: ReportInput) -> str:
    lines = []
    for finding in report.result.findings:
        lines.append(finding_line(finding, report.show_secrets))
        lines.append(fix_hint(finding))
    for finding in report.accepted:
        lines.append(finding_line(finding, report.show_secrets) + " [accepted in baseline: still to migrate]")
    for skipped in report.result.skipped:
        lines.append(f"skipped {printable_path(skipped.path)}: {skipped.reason}")
    return "\n".join(lines) + ("\n" if lines else "")
