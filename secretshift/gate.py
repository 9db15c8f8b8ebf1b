"""The commit gate: scan what is about to be committed, drop what the baseline accepts, and say
exactly what to do about the rest.

Shared by the pre-commit hook (``secretshift hook FILES``, the files hold the staged content)
and the plain git hook (``secretshift scan --staged``, the index read from git). Kept lean on
imports: it runs on every commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift.baseline_file import BASELINE_NAME, Baseline, root_relative
from secretshift.config import Config
from secretshift.models import Finding, ScanResult, Skipped
from secretshift.textutil import printable_path
from secretshift.triage import Triage, triage

if TYPE_CHECKING:
    from secretshift.sources.staged import ChangedBlob


@dataclass(frozen=True)
class GateResult:
    triage: Triage
    result: ScanResult
    baseline_path: Path | None
    verb: str = "committed"  # what the gate stops: committed, pushed

    @property
    def new(self) -> tuple[Finding, ...]:  # not in the baseline: these fail the commit
        return self.triage.new

    @property
    def to_migrate(self) -> tuple[Finding, ...]:  # in the baseline, labelled real: still to migrate
        return self.triage.to_migrate


def check_files(files: Sequence[str], config: Config, baseline: Baseline | None,
                baseline_path: Path | None, root: Path) -> GateResult:
    from secretshift.pipeline import scan_paths

    result = scan_paths(files, config, use_git=False, jobs=1)
    return GateResult(triage(result.findings, baseline, root), result, baseline_path)


def check_staged(config: Config, baseline: Baseline | None, baseline_path: Path | None,
                 root: Path) -> GateResult:
    from secretshift.sources.staged import staged_changes

    return _check_changes([staged_changes(root, config.max_file_size)], config, baseline, baseline_path, root)


def check_pushed(updates: str, remote: str, config: Config, baseline: Baseline | None,
                 baseline_path: Path | None, root: Path) -> GateResult:
    """Every commit a push sends (git's pre-push input: ``local-ref local-sha remote-ref
    remote-sha`` lines): a secret added then removed within the push still reaches history."""
    from secretshift.sources.staged import commit_changes, pushed_commits

    commits = pushed_commits(root, updates, remote)
    changes = [commit_changes(root, commit, config.max_file_size) for commit in commits]
    gate = _check_changes(changes, config, baseline, baseline_path, root)
    return replace(gate, verb="pushed")


def _check_changes(changes: Sequence[tuple[Sequence[ChangedBlob], Sequence[Skipped]]], config: Config,
                   baseline: Baseline | None, baseline_path: Path | None, root: Path) -> GateResult:
    from secretshift.pipeline import PathFilter, run
    from secretshift.sources.staged import ChangesSource

    source = ChangesSource(changes)
    path_filter = PathFilter(config)
    if any(not path_filter.excluded(blob.path) for blob in source.blobs()):
        from secretshift.scanner.build import build_engine

        result = run(build_engine(config), source, path_filter)
    else:  # nothing to scan: the commit hook does not build an engine for nothing
        result = ScanResult(skipped=[s for _, skipped in changes for s in skipped])
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    # Paths from git are relative to the repository root, as the baseline's are.
    return GateResult(triage(result.findings, baseline, root, root), result, baseline_path)


# -- the message ------------------------------------------------------------------------------
def _finding_line(finding: Finding) -> str:
    key = f"  (assigned to {printable_path(finding.key)})" if finding.key else ""
    where = f"{printable_path(finding.path)}:{finding.line}"
    if finding.commit:
        where += f" (commit {finding.commit[:12]})"
    return f"  {where}  {finding.rule}  {printable_path(finding.redacted)}{key}"


def failure_message(gate: GateResult, root: Path) -> str:
    import shlex

    count = len(gate.new)
    noun = "a secret" if count == 1 else f"{count} secrets"
    lines = [f"secretshift: {noun} would be {gate.verb}:", ""]
    lines += [_finding_line(f) for f in gate.new]
    first = gate.new[0]
    target = shlex.quote(f"{first.path}:{first.line}")
    files = sorted({f.path for f in gate.new})
    baseline = root_relative(str(gate.baseline_path), root) if gate.baseline_path else BASELINE_NAME
    baseline_arg = "" if baseline == BASELINE_NAME else f" --baseline {shlex.quote(baseline)}"
    lines += [
        "",
        "What to do with each one:",
        f"  - move it to AWS Secrets Manager: secretshift migrate plan {target}",
        "    (or go through them one by one: secretshift migrate interactive)",
        "  - a false positive? allow it with a comment on its line (or on the line before):",
        "        # secretshift: allow",
        "  - accept it for now (reviewed, to migrate later): add it to the baseline",
        f"        secretshift baseline update{baseline_arg} {' '.join(shlex.quote(f) for f in files)}",
        f"    and stage the baseline (git add {shlex.quote(baseline)}).",
        "",
        *(["Remove it from the commits before pushing (git rebase -i, or git commit --amend)."]
          if gate.verb == "pushed" else []),
        "A secret that already reached a pushed commit is compromised: rotate it at its provider",
        "whatever else you do; removing it from the code does not remove it from git history.",
    ]
    return "\n".join(lines) + "\n"


def accepted_message(gate: GateResult) -> str:
    if not gate.to_migrate:
        return ""
    count = len(gate.to_migrate)
    noun = "secret" if count == 1 else "secrets"
    lines = [f"secretshift: {count} {noun} accepted but still to migrate (labelled real in the baseline):"]
    lines += [_finding_line(f) for f in gate.to_migrate]
    return "\n".join(lines) + "\n"
