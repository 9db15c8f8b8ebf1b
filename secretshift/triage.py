"""The one baseline triage: which findings are new (they fail the run), which the baseline accepts
as real secrets still to migrate, and how many more it accepts (unaudited or false positives).

Every scan that honours a baseline goes through here: the commit hook, ``scan --staged``,
``scan --baseline``, ``scan --diff/--history --baseline`` and ``ci``.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from secretshift.baseline_file import Baseline, load_baseline, resolve_baseline_path, root_relative
from secretshift.config import Config
from secretshift.models import Finding


class Triage(NamedTuple):
    new: tuple[Finding, ...] = ()  # not in the baseline: these fail the run
    to_migrate: tuple[Finding, ...] = ()  # in the baseline, labelled real: accepted, still to migrate
    baselined: int = 0  # in the baseline otherwise (unlabelled or false positive)


def load_baseline_for(explicit: str | None, config: Config,
                      root: Path) -> tuple[Baseline | None, Path | None]:
    """The baseline a run compares against (``--baseline``, else the config's, else the
    repository's; see :func:`resolve_baseline_path`), or (None, None)."""
    path = resolve_baseline_path(explicit, config.baseline, root, config.source)
    return (load_baseline(path, config.hash_key), path) if path is not None else (None, None)


def triage_named(named: Iterable[tuple[str, Finding]], baseline: Baseline | None) -> Triage:
    """Findings paired with their root-relative file names (the names the baseline uses)."""
    new: list[Finding] = []
    real: list[Finding] = []
    other = 0
    for filename, finding in named:
        entry = baseline.match(filename, finding) if baseline is not None else None
        if entry is None:
            new.append(finding)
        elif entry.is_secret:
            real.append(finding)
        else:
            other += 1
    return Triage(tuple(new), tuple(real), other)


def triage(findings: Iterable[Finding], baseline: Baseline | None, root: Path,
           base: Path | None = None) -> Triage:
    """Findings whose paths are relative to ``base`` (default: the current directory)."""
    return triage_named(((root_relative(f.path, root, base), f) for f in findings), baseline)
