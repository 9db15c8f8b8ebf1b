"""Reporters: a registry of format name -> function rendering a :class:`ReportInput`."""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from secretshift.models import Finding, Rule, ScanResult


@dataclass(frozen=True)
class ReportInput:
    result: ScanResult
    rules: Sequence[Rule]
    show_secrets: bool = False
    # Findings the baseline accepts as real secrets still to migrate (reported, not failing).
    accepted: Sequence[Finding] = field(default_factory=tuple)
    # How many more the baseline accepts (unlabelled or false positives): counted, not listed.
    baselined: int = 0


Reporter = Callable[[ReportInput], str]


# format name -> module with `render(ReportInput) -> str`; a module is imported only when its
# format is used, so a scan loads one reporter, not all of them.
REPORTERS: dict[str, str] = {
    "text": "secretshift.report.text",
    "json": "secretshift.report.json_report",
    "sarif": "secretshift.report.sarif",
    "github": "secretshift.report.github",
    "junit": "secretshift.report.junit",
    "gitlab": "secretshift.report.gitlab",
    "html": "secretshift.report.html",
}


class _Reporters(Mapping[str, Reporter]):
    def __getitem__(self, name: str) -> Reporter:
        render: Reporter = importlib.import_module(REPORTERS[name]).render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(REPORTERS)

    def __len__(self) -> int:
        return len(REPORTERS)


def reporters() -> Mapping[str, Reporter]:
    return _Reporters()
