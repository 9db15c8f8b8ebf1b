"""What to do first: findings ordered by (live first, then confidence, then exposure in history),
and, per provider, where its documentation says how to revoke or rotate the secret."""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from secretshift.models import Finding
from secretshift.textutil import printable_path

# Lower sorts first. `revoked`/`invalid` still need cleaning up, but nothing is at stake.
STATUS_ORDER = {"valid": 0, "error": 1, "unknown": 2, "revoked": 3, "invalid": 4}


# The detection work (issue #14) gives findings `confidence = "low" | "medium" | "high"`.
_CONFIDENCE = {"low": 0.0, "medium": 1.0, "high": 2.0}


def confidence_of(finding: Finding) -> float:
    """HOOK for the `confidence` field of issue #14, read when a finding has it (a level name or
    a number); without it every finding ranks alike and the order stays stable. Once that field
    is on `Finding`, this can use `models.confidence_rank`."""
    value = getattr(finding, "confidence", None)
    if isinstance(value, str):
        return _CONFIDENCE.get(value, 1.0)
    return float(value) if isinstance(value, (int, float)) else 0.0


def exposure(findings: Sequence[Finding]) -> Counter[str]:
    """secret hash -> how many distinct places (commit, path) hold the secret."""
    places = {(f.secret_hash, f.commit or "", f.path) for f in findings}
    return Counter(digest for digest, _, _ in places)


def triage_order(findings: Sequence[Finding], in_history: Collection[str] = ()) -> list[Finding]:
    """Live first, then confidence, then exposure: in git history (``in_history``: secret hashes),
    then how many places (commits, files) hold it. Stable: ties keep their scan order."""
    seen = exposure(findings)

    def key(finding: Finding) -> tuple[int, float, int, int]:
        status = finding.validation.status if finding.validation else "unknown"
        digest = finding.secret_hash
        return (STATUS_ORDER.get(status, 2), -confidence_of(finding), -(digest in in_history), -seen[digest])

    return sorted(findings, key=key)


def revoke_guide(findings: Sequence[Finding]) -> list[tuple[str, str]]:
    """(provider, documented revoke/rotate page) for the providers of live or unchecked findings."""
    guide: dict[str, str] = {}
    for finding in triage_order(findings):
        validation = finding.validation
        if validation and validation.revoke and validation.status in ("valid", "error", "unknown"):
            guide.setdefault(validation.provider, validation.revoke)
    return list(guide.items())


def identity_text(finding: Finding) -> str:
    """`account=1234..., arn=...`: whose secret it is, as far as the provider said."""
    if finding.validation is None:
        return ""
    return ", ".join(f"{k}={v}" for k, v in finding.validation.identity)


def only_valid(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.validation is not None and f.validation.status == "valid"]


def plan_section(findings: Sequence[Finding], in_history: Collection[str] = ()) -> str:
    """The migration plan's "rotate first" list: one line per secret (not per place), most
    urgent first, with whose it is and where its provider says how to revoke or rotate it."""
    lines = ["", "Rotate first (from --validate; nothing was revoked or rotated):"]
    done: set[str] = set()
    for finding in triage_order(findings, in_history):
        if finding.secret_hash in done:
            continue
        done.add(finding.secret_hash)
        validation = finding.validation
        status = validation.status if validation else "unknown"
        who = identity_text(finding)
        history = " in git history;" if finding.secret_hash in in_history else ""
        lines.append(f"  {status:8} {printable_path(finding.path)}:{finding.line} {finding.rule} {finding.redacted}"
                     f"{' (' + who + ')' if who else ''}{history}"
                     f"{' ' + validation.reason if validation and status in ('error', 'unknown') else ''}")
    guide = revoke_guide(findings)
    if guide:
        lines.append("How to revoke / rotate, per provider:")
        lines += [f"  {provider}: {url}" for provider, url in guide]
    return "\n".join(lines) + "\n"
