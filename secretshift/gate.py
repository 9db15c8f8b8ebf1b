"""The commit gate: scan what is about to be committed, drop what the baseline accepts, and say
exactly what to do about the rest.

Shared by the pre-commit hook (``secretshift hook FILES``, the files hold the staged content)
and the plain git hook (``secretshift scan --staged``, the index read from git). Kept lean on
imports: it runs on every commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, TYPE_CHECKING

from secretshift.baseline_file import BASELINE_NAME, Baseline, root_relative
from secretshift.config import Config
from secretshift.errors import FatalError
from secretshift.models import Finding, ScanResult, Skipped
from secretshift.textutil import printable_path, shell_word
from secretshift.triage import Triage, triage

if TYPE_CHECKING:
    from secretshift.sources.staged import ChangedBlob


class GateResult(NamedTuple):
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


def in_repository(root: Path) -> bool:
    return (root / ".git").exists()


def require_repository(root: Path, what: str) -> None:
    """A clear error instead of git's usage text when there is no repository to read."""
    if not in_repository(root):
        raise FatalError(f"{what} reads what git would commit, but {printable_path(str(root))} is not inside "
                         "a git repository (to scan files instead: secretshift scan PATH)")


def check_commit_files(files: Sequence[str], config: Config, baseline: Baseline | None,
                       baseline_path: Path | None, root: Path) -> GateResult:
    """The pre-commit hook's check: what the commit adds to ``files`` (the files pre-commit
    passes). A staged file is checked on its added lines (a new file whole), as `scan --staged`
    checks it: a secret already in HEAD is the baseline's and the CI history scan's business,
    so an unrelated edit never fails because of an old line. A file with nothing staged
    (`pre-commit run --all-files`, `--files`) is scanned whole."""
    from secretshift.sources.staged import staged_changes_and_paths

    if not in_repository(root):  # no commit to speak of: the files are all there is
        return check_files(files, config, baseline, baseline_path, root)
    wanted = {root_relative(f, root): f for f in files}
    # One `git diff --cached` tells both what the commit adds and which files it touches (pre-commit
    # passes existing files only, so a deletion, which the diff leaves out, is never asked about).
    changed, skipped, staged_names = staged_changes_and_paths(root, config.max_file_size)
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
    both = Triage((*staged.new, *rest.new), (*staged.to_migrate, *rest.to_migrate),
                  staged.triage.baselined + rest.triage.baselined)
    return GateResult(both, result, baseline_path)


def check_staged(config: Config, baseline: Baseline | None, baseline_path: Path | None,
                 root: Path) -> GateResult:
    require_repository(root, "checking the staged changes")
    from secretshift.sources.staged import staged_changes

    return _check_changes([staged_changes(root, config.max_file_size)], config, baseline, baseline_path, root)


def check_pushed(updates: str, remote: str, config: Config, baseline: Baseline | None,
                 baseline_path: Path | None, root: Path) -> GateResult:
    """Every commit a push sends (git's pre-push input: ``local-ref local-sha remote-ref
    remote-sha`` lines): a secret added then removed within the push still reaches history."""
    from secretshift.sources.merge_commits import pushed_changes
    from secretshift.sources.staged import pushed_commits

    changes = pushed_changes(root, pushed_commits(root, updates, remote), config.max_file_size)
    gate = _check_changes(changes, config, baseline, baseline_path, root)
    return gate._replace(verb="pushed")


_SMALL_CHANGE_FILES = 16  # as scan_paths' small scans
_SMALL_CHANGE_BYTES = 1 << 20  # past this, Hyperscan's one pass beats RE2's per-hit searches


def _check_changes(changes: Sequence[tuple[Sequence[ChangedBlob], Sequence[Skipped]]], config: Config,
                   baseline: Baseline | None, baseline_path: Path | None, root: Path) -> GateResult:
    from secretshift.pipeline import PathFilter, run
    from secretshift.sources.staged import ChangesSource

    source = ChangesSource(changes)
    path_filter = PathFilter(config)
    wanted = [blob for blob in source.blobs() if not path_filter.excluded(blob.path)]
    if wanted:
        from secretshift.scanner.build import build_engine

        # A commit's handful of changes: the RE2 prefilter is done before Hyperscan and its
        # database would even be loaded (~15 ms of the commit hook).
        small = len(wanted) <= _SMALL_CHANGE_FILES and sum(len(b.data) for b in wanted) <= _SMALL_CHANGE_BYTES
        result = run(build_engine(config, small=small), source, path_filter)
    else:  # nothing to scan: the commit hook does not build an engine for nothing
        result = ScanResult(skipped=[s for _, skipped in changes for s in skipped])
        from secretshift.scanner.build import check_config_rules

        check_config_rules(config)
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
    from secretshift.fixhints import after_options, baseline_hints, migrate_hints

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
        # after_options: shell-quoted (a file name cannot put terminal escapes or a command into
        # the hint), with `--` before a name starting with `-`
        *migrate_hints(after_options([f"{first.path}:{first.line}"]), root),
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
