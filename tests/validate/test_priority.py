"""Triage order: live first, then the detector's confidence, then exposure; stable on ties."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from secretshift.models import Validation
from secretshift.validate.priority import confidence_of, revoke_guide, triage_order


def _finding(name: str, status: str | None, confidence: Any = None, digest: str | None = None,
             commit: str | None = None) -> Any:
    validation = Validation(status, provider=name.split("-")[0], revoke=f"https://docs.test/{name}") if status else None
    fields = dict(rule=name, path=f"{name}.env", commit=commit, secret_hash=digest or name, validation=validation)
    if confidence is not None:
        fields["confidence"] = confidence
    return SimpleNamespace(**fields)


def test_live_first_then_errors_unknown_revoked_invalid() -> None:
    found = [_finding("a", "invalid"), _finding("b", "revoked"), _finding("c", None), _finding("d", "valid"),
             _finding("e", "error")]
    assert [f.rule for f in triage_order(found)] == ["d", "e", "c", "b", "a"]


def test_confidence_breaks_ties_when_findings_have_it() -> None:
    found = [_finding("low", "valid", "low"), _finding("high", "valid", "high"), _finding("none", "valid"),
             _finding("mid", "valid", "medium")]
    assert [f.rule for f in triage_order(found)] == ["high", "mid", "low", "none"]
    assert confidence_of(_finding("x", None, 0.7)) == 0.7  # a numeric score works too


def test_exposure_in_history_then_places_break_the_remaining_ties() -> None:
    once = _finding("once", "unknown", digest="h1")
    spread = [_finding("spread", "unknown", digest="h2", commit=c) for c in ("c1", "c2", "c3")]
    historic = _finding("historic", "unknown", digest="h3")
    ordered = triage_order([once, historic, *spread], in_history={"h3"})
    assert [f.rule for f in ordered] == ["historic", "spread", "spread", "spread", "once"]


def test_without_any_signal_the_scan_order_is_kept() -> None:
    found = [_finding(n, None) for n in ("z", "y", "x")]
    assert [f.rule for f in triage_order(found)] == ["z", "y", "x"]


def test_the_revoke_guide_names_each_provider_once_most_urgent_first() -> None:
    found = [_finding("slack-1", "invalid"), _finding("github-1", "valid"), _finding("github-2", "valid"),
             _finding("aws-1", "unknown")]
    assert revoke_guide(found) == [("github", "https://docs.test/github-1"), ("aws", "https://docs.test/aws-1")]
