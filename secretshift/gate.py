"""The commit gate: scan what is about to be committed, drop what the baseline accepts, and say
exactly what to do about the rest.

Shared by the pre-commit hook (``secretshift hook FILES``, the files hold the staged content)
and the plain git hook (``secretshift scan --staged``, the index read from git). Kept lean on
imports: it runs on every commit.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.baseline import Baseline, load_baseline, resolve_baseline_path, root_relative
from secretshift.config import Config
from secretshift.models import Finding, ScanResult
from secretshift.textutil import printable_path


@dataclass(frozen=True)
class GateResult:
    new: tuple[Finding, ...]  # not in the baseline: these fail the commit
    to_migrate: tuple[Finding, ...]  # in the baseline, labelled real: accepted, still to migrate
    baselined: int  # in the baseline otherwise (unlabelled or false positive)
    result: ScanResult
    baseline_path: Path | None


def load_gate_baseline(explicit: str | None, config: Config, root: Path) -> tuple[Baseline | None, Path | None]:
    path = resolve_baseline_path(explicit, config.baseline, root)
    return (load_baseline(path), path) if path is not None else (None, None)


def split(findings: Iterable[Finding], baseline: Baseline | None, root: Path,
          base: Path | None = None) -> tuple[list[Finding], list[Finding], int]:
    """(new, accepted-but-real, other-baselined) for findings whose paths are relative to
    ``base`` (default: the current directory)."""
    if baseline is None:
        return list(findings), [], 0
    new, real, other = [], [], 0
    for finding in findings:
        entry = baseline.lookup(root_relative(finding.path, root, base), finding.secret_hash)
        if entry is None:
            new.append(finding)
        elif entry.is_secret:
            real.append(finding)
        else:
            other += 1
    return new, real, other


def check_files(files: Sequence[str], config: Config, baseline: Baseline | None,
                baseline_path: Path | None, root: Path) -> GateResult:
    from secretshift.scan import scan_paths

    result = scan_paths(files, config, use_git=False, jobs=1)
    new, real, other = split(result.findings, baseline, root)
    return GateResult(tuple(new), tuple(real), other, result, baseline_path)


def check_staged(config: Config, baseline: Baseline | None, baseline_path: Path | None,
                 root: Path) -> GateResult:
    from secretshift.scan import PathFilter, build_engine
    from secretshift.sources.staged import staged_changes

    changed, skipped = staged_changes(root, config.max_file_size)
    result = ScanResult(skipped=skipped)
    path_filter = PathFilter(config)
    engine = build_engine(config) if changed else None
    for item in changed:
        if engine is None or path_filter.excluded(item.blob.path):
            continue
        result.files_scanned += 1
        result.bytes_scanned += len(item.blob.data)
        for finding in engine.scan(item.blob):
            if any(line in item.added for line in range(finding.line, finding.end_line + 1)):
                result.findings.append(finding)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    # Staged paths are relative to the repository root, as the baseline's are.
    new, real, other = split(result.findings, baseline, root, root)
    return GateResult(tuple(new), tuple(real), other, result, baseline_path)


# -- the message ------------------------------------------------------------------------------
def _finding_line(finding: Finding) -> str:
    key = f"  (assigned to {printable_path(finding.key)})" if finding.key else ""
    where = f"{printable_path(finding.path)}:{finding.line}"
    return f"  {where}  {finding.rule}  {printable_path(finding.redacted)}{key}"


def failure_message(gate: GateResult, root: Path) -> str:
    count = len(gate.new)
    noun = "a secret" if count == 1 else f"{count} secrets"
    lines = [f"secretshift: {noun} would be committed:", ""]
    lines += [_finding_line(f) for f in gate.new]
    first = gate.new[0]
    target = shlex.quote(f"{first.path}:{first.line}")
    files = sorted({f.path for f in gate.new})
    baseline = gate.baseline_path
    baseline_arg = "" if baseline is None else f" --baseline {shlex.quote(root_relative(str(baseline), root))}"
    lines += [
        "",
        "What to do with each one:",
        f"  - move it to AWS Secrets Manager: secretshift migrate plan {target}",
        "    (or go through them one by one: secretshift migrate interactive)",
        "  - a false positive? allow it with a comment on its line (or on the line before):",
        "        # secretshift: allow",
        "  - accept it for now (reviewed, to migrate later): add it to the baseline",
        f"        secretshift baseline update{baseline_arg} {' '.join(shlex.quote(f) for f in files)}",
        f"    and stage the baseline (git add {shlex.quote(root_relative(str(baseline), root)) if baseline else '.secrets.baseline'}).",
        "",
        "A secret that already reached a pushed commit is compromised: rotate it at its provider",
        "whatever else you do; removing it from the code does not remove it from git history.",
    ]
    return "\n".join(lines) + "\n"


def accepted_message(gate: GateResult) -> str:
    if not gate.to_migrate:
        return ""
    count = len(gate.to_migrate)
    noun = "secret" if count == 1 else "secrets"
    lines = [f"secretshift: {count} accepted {noun} still to migrate (labelled real in the baseline):"]
    lines += [_finding_line(f) for f in gate.to_migrate]
    return "\n".join(lines) + "\n"
