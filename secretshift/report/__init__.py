"""Reporters: a registry of format name -> function rendering a :class:`ReportInput`."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from secretshift.models import Finding, Rule, ScanResult


@dataclass(frozen=True)
class ReportInput:
    result: ScanResult
    rules: Sequence[Rule]
    show_secrets: bool = False
    # Findings the baseline accepts as real secrets still to migrate (reported, not failing).
    accepted: Sequence[Finding] = field(default_factory=tuple)


Reporter = Callable[[ReportInput], str]


def reporters() -> dict[str, Reporter]:
    from secretshift.report import github, gitlab, json_report, junit, sarif, text

    return {
        "text": text.render,
        "json": json_report.render,
        "sarif": sarif.render,
        "github": github.render,
        "junit": junit.render,
        "gitlab": gitlab.render,
    }
