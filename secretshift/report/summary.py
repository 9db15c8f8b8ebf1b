"""The Markdown job summary of a CI run (GitHub's ``$GITHUB_STEP_SUMMARY``)."""
from __future__ import annotations

from collections.abc import Sequence

from secretshift.models import Finding, Skipped

MAX_ROWS = 200  # GitHub caps a step summary at 1 MiB; a table this long is unreadable anyway


def code(text: str) -> str:
    """A table-safe code span: pipes escaped (GFM splits cells before parsing code spans)."""
    cleaned = "".join(c if c.isprintable() else " " for c in text).replace("`", "'")
    return f"`{cleaned.replace('|', chr(92) + '|')}`" if cleaned else ""


def _row(finding: Finding, status: str, validated: bool = False) -> str:
    commit = code(finding.commit[:12]) if finding.commit else ""
    date = (finding.author_date or "")[:10]
    row = (
        f"| {status} | {commit} | {date} | {code(finding.path)} | {finding.line} | "
        f"{code(finding.rule)} | {code(finding.redacted)} |"
    )
    return row + (f" {_validation_cell(finding)} |" if validated else "")


def _validation_cell(finding: Finding) -> str:
    """`--validate`'s verdict and whose the secret is (rows arrive live first)."""
    validation = finding.validation
    if validation is None:
        return ""
    who = ", ".join(f"{k}={v}" for k, v in validation.identity)
    return f"**{validation.status}**" + (f" {code(who)}" if who else "")


def render_summary(
    new: Sequence[Finding], accepted: Sequence[Finding], skipped: Sequence[Skipped],
    commits: int, label: str, notes: Sequence[str] = (), baselined: int = 0,
) -> str:
    """``accepted``: baselined findings labelled real (listed); ``baselined``: how many more the
    baseline accepts (unaudited or false positives: counted only)."""
    noun = "secret" if len(new) == 1 else "secrets"
    icon = ":x:" if new else ":white_check_mark:"
    lines = [f"## {icon} secretshift: {len(new)} new {noun} in {commits} commits", ""]
    lines.append(f"Checked {code(label)}: every commit's added lines, not only the final tree.")
    if accepted or baselined:
        lines.append(f"{len(accepted) + baselined} finding(s) are already in the baseline (not failing).")
    lines += [f"> {note}" for note in notes]
    validated = any(f.validation is not None for f in [*new, *accepted])
    rows = [_row(f, "new", validated) for f in new] + [_row(f, "baseline", validated) for f in accepted]
    if rows:
        lines += ["", "| | Commit | Date | File | Line | Rule | Secret (redacted) |" + (" Live? |" if validated else ""),
                  "|---|---|---|---|---|---|---|" + ("---|" if validated else "")]
        lines += rows[:MAX_ROWS]
        if len(rows) > MAX_ROWS:
            lines.append(f"\n... and {len(rows) - MAX_ROWS} more (see the SARIF report).")
    if new:
        lines += [
            "",
            "A secret that reached git history is compromised even if a later commit removed it: "
            "**rotate it**, then move it to AWS Secrets Manager (`secretshift migrate plan`). "
            "A false positive can be marked with a `secretshift: allow` comment or added to the baseline.",
        ]
    if validated:
        lines += _revoke_guide([*new, *accepted])
    if skipped:
        lines += ["", f"Not scanned: {len(skipped)} file(s)."]
        lines += [f"- {code(s.path)}: {s.reason}" for s in skipped[:20]]
    return "\n".join(lines) + "\n\n"


def _revoke_guide(findings: Sequence[Finding]) -> list[str]:
    from secretshift.validate.priority import revoke_guide

    guide = revoke_guide(findings)
    if not guide:
        return []
    return ["", "How to revoke / rotate (live and unchecked secrets, most urgent first):"] + [
        f"- {provider}: {url}" for provider, url in guide
    ]
