"""The commit gate: scan what is about to be committed, drop what the baseline accepts, and say
exactly what to do about the rest.

Shared by the pre-commit hook (``secretshift hook FILES``, the files hold the staged content)
and the plain git hook (``secretshift scan --staged``, the index read from git). Kept lean on
imports: it runs on every commit.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift.baseline import BASELINE_NAME, Baseline, load_baseline, resolve_baseline_path, root_relative
from secretshift.config import Config
from secretshift.models import Finding, ScanResult, Skipped
from secretshift.textutil import printable_path

if TYPE_CHECKING:
    from secretshift.sources.staged import ChangedBlob


@dataclass(frozen=True)
class GateResult:
    new: tuple[Finding, ...]  # not in the baseline: these fail the commit
    to_migrate: tuple[Finding, ...]  # in the baseline, labelled real: accepted, still to migrate
    baselined: int  # in the baseline otherwise (unlabelled or false positive)
    result: ScanResult
    baseline_path: Path | None
    verb: str = "committed"  # what the gate stops: committed, pushed


def load_gate_baseline(explicit: str | None, config: Config, root: Path) -> tuple[Baseline | None, Path | None]:
    path = resolve_baseline_path(explicit, config.baseline, root, config.source)
    return (load_baseline(path), path) if path is not None else (None, None)


def split(findings: Iterable[Finding], baseline: Baseline | None, root: Path,
          base: Path | None = None) -> tuple[list[Finding], list[Finding], int]:
    """(new, accepted-but-real, other-baselined) for findings whose paths are relative to
    ``base`` (default: the current directory)."""
    return split_named(((root_relative(f.path, root, base), f) for f in findings), baseline)


def split_named(named: Iterable[tuple[str, Finding]],
                baseline: Baseline | None) -> tuple[list[Finding], list[Finding], int]:
    """The same, for findings paired with their root-relative file names."""
    new, real, other = [], [], 0
    for filename, finding in named:
        entry = baseline.match(filename, finding) if baseline is not None else None
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


def check_commit_files(files: Sequence[str], config: Config, baseline: Baseline | None,
                       baseline_path: Path | None, root: Path) -> GateResult:
    """The pre-commit hook's check: what the commit adds to ``files`` (the files pre-commit
    passes). A staged file is checked on its added lines (a new file whole), as `scan --staged`
    checks it: a secret already in HEAD is the baseline's and the CI history scan's business,
    so an unrelated edit never fails because of an old line. A file with nothing staged
    (`pre-commit run --all-files`, `--files`) is scanned whole."""
    from secretshift.sources.staged import git_output, staged_changes

    wanted = {root_relative(f, root): f for f in files}
    staged_names = set(git_output(root, ["diff", "--cached", "--name-only", "-z", "--no-renames"]).decode(
        "utf-8", "surrogateescape").split("\0")) - {""}
    changed, skipped = staged_changes(root, config.max_file_size)
    staged = _check_changes(
        [([c for c in changed if c.blob.path in wanted], [s for s in skipped if s.path in wanted])],
        config, baseline, baseline_path, root)
    whole = [name for relative, name in wanted.items() if relative not in staged_names]
    if not whole:
        return staged
    rest = check_files(whole, config, baseline, baseline_path, root)
    result = ScanResult(
        sorted([*staged.result.findings, *rest.result.findings], key=lambda f: (f.path, f.line, f.column, f.rule)),
        [*staged.result.skipped, *rest.result.skipped],
        staged.result.files_scanned + rest.result.files_scanned,
        staged.result.bytes_scanned + rest.result.bytes_scanned,
    )
    return GateResult((*staged.new, *rest.new), (*staged.to_migrate, *rest.to_migrate),
                      staged.baselined + rest.baselined, result, baseline_path)


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
    from secretshift.scan import PathFilter, build_engine

    result = ScanResult()
    path_filter = PathFilter(config)
    engine = None
    for changed, skipped in changes:
        result.skipped.extend(skipped)
        for item in changed:
            if path_filter.excluded(item.blob.path):
                continue
            engine = engine or build_engine(config)
            result.files_scanned += 1
            result.bytes_scanned += len(item.blob.data)
            for finding in engine.scan(item.blob):
                if any(line in item.added for line in range(finding.line, finding.end_line + 1)):
                    result.findings.append(finding)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    # Paths from git are relative to the repository root, as the baseline's are.
    new, real, other = split(result.findings, baseline, root, root)
    return GateResult(tuple(new), tuple(real), other, result, baseline_path)


# -- the message ------------------------------------------------------------------------------
def _finding_line(finding: Finding) -> str:
    key = f"  (assigned to {printable_path(finding.key)})" if finding.key else ""
    where = f"{printable_path(finding.path)}:{finding.line}"
    if finding.commit:
        where += f" (commit {finding.commit[:12]})"
    return f"  {where}  {finding.rule}  {printable_path(finding.redacted)}{key}"


def failure_message(gate: GateResult, root: Path) -> str:
    from secretshift.fixhints import baseline_hints, migrate_hints
    from secretshift.textutil import shell_word

    count = len(gate.new)
    noun = "a secret" if count == 1 else f"{count} secrets"
    lines = [f"secretshift: {noun} would be {gate.verb}:", ""]
    lines += [_finding_line(f) for f in gate.new]
    first = gate.new[0]
    files = sorted({f.path for f in gate.new})
    baseline = root_relative(str(gate.baseline_path), root) if gate.baseline_path else BASELINE_NAME
    lines += [
        "",
        "What to do with each one:",
        *migrate_hints(shell_word(f"{first.path}:{first.line}"), root),
        "  - a false positive? allow it with a comment on its line (or on the line before):",
        "        # secretshift: allow",
        *baseline_hints(files, baseline, BASELINE_NAME, root),
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
