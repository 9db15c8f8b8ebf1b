"""Scanning git commits: each file's added text in each commit goes through the engine once, and
its findings are moved back onto the file's real line numbers in that commit."""
from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from secretshift.config import Config
from secretshift.engine import Engine
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError
from secretshift.models import Blob, Finding, ScanResult, Skipped
from secretshift.sources.git import GitSelection, count_commits, diff_selection, history_selection, stream_log
from secretshift.sources.gitlog import AddedText, Commit, FileNote
from secretshift.textutil import looks_binary

# The de-duplication memory is bounded: past this many distinct (path, added text) pairs it starts
# afresh, so memory stays flat on any history (at worst a repeat is scanned twice).
_SEEN_LIMIT = 1 << 18


@dataclass
class GitScan:
    result: ScanResult
    selection: GitSelection
    commits: int = 0
    duplicates: int = 0  # added texts not rescanned because an identical one was
    binary: int = 0
    shallow_seen: list[str] = field(default_factory=list)  # boundary commits the scan reached

    def notes(self) -> list[str]:
        """What the user must know about what could not be seen."""
        out = []
        if self.selection.note:
            out.append(self.selection.note)
        if self.shallow_seen:
            shown = ", ".join(sha[:12] for sha in sorted(self.shallow_seen)[:5])
            more = f" and {len(self.shallow_seen) - 5} more" if len(self.shallow_seen) > 5 else ""
            out.append(
                f"shallow clone: history before commit(s) {shown}{more} could not be seen; their "
                "whole content was scanned as if added by them (fetch the full history, e.g. "
                "`git fetch --unshallow` or actions/checkout with fetch-depth: 0)"
            )
        return out


def scan_selection(selection: GitSelection, config: Config, show_progress: bool = False) -> GitScan:
    from secretshift.scan import PathFilter, build_engine

    engine = build_engine(config)
    path_filter = PathFilter(config)
    scan = GitScan(ScanResult(), selection)
    result = scan.result
    progress = None
    if show_progress and not selection.empty:
        from secretshift.progress import Progress

        progress = Progress(selection.label, count_commits(selection))
    seen: set[bytes] = set()
    noted_submodules: set[str] = set()
    try:
        for event in stream_log(selection, config.max_file_size):
            if isinstance(event, Commit):
                scan.commits += 1
                if event.sha in selection.shallow:
                    scan.shallow_seen.append(event.sha)
                if progress is not None:
                    progress.update(scan.commits, len(result.findings))
            elif isinstance(event, FileNote):
                _note(scan, event, noted_submodules)
            elif not path_filter.excluded(event.path):
                key = hashlib.blake2b(event.path.encode("utf-8", "surrogateescape") + b"\0" + event.data,
                                      digest_size=16).digest()
                if key in seen:
                    scan.duplicates += 1
                    continue
                if len(seen) >= _SEEN_LIMIT:
                    seen.clear()
                seen.add(key)
                _scan_added(engine, event, result, scan)
    finally:
        if progress is not None:
            progress.close()
    return scan


def _scan_added(engine: Engine, added: AddedText, result: ScanResult, scan: GitScan) -> None:
    if looks_binary(added.data):
        scan.binary += 1
        return
    result.files_scanned += 1
    result.bytes_scanned += len(added.data)
    blob = Blob(added.path, added.data, added.commit.sha, added.commit.author_date)
    for finding in engine.scan(blob):
        result.findings.append(
            replace(finding, line=added.file_line(finding.line), end_line=added.file_line(finding.end_line))
        )


def _note(scan: GitScan, note: FileNote, noted_submodules: set[str]) -> None:
    if note.reason == "binary":
        scan.binary += 1
    elif note.reason == "submodule":
        if note.path not in noted_submodules:
            noted_submodules.add(note.path)
            scan.result.skipped.append(
                Skipped(note.path, "submodule (gitlink): its commits live in another repository; scan that one")
            )
    else:
        scan.result.skipped.append(
            Skipped(note.path, f"added text in commit {note.commit.sha[:12]} is larger than the max file size")
        )


def new_findings(findings: Sequence[Finding], baseline_path: Path | None) -> tuple[list[Finding], list[Finding], int]:
    """(new, accepted, other): findings the baseline does not know (these fail the check), those it
    labels real secrets still to migrate, and how many more it accepts (unaudited or false
    positives). Git findings' paths are relative to the repository root, as the baseline's are."""
    if baseline_path is None:
        return list(findings), [], 0
    from secretshift.baseline import load_baseline

    baseline = load_baseline(baseline_path)
    new, accepted, other = [], [], 0
    for finding in findings:
        entry = baseline.match(finding.path, finding)
        if entry is None:
            new.append(finding)
        elif entry.is_secret:
            accepted.append(finding)
        else:
            other += 1
    return new, accepted, other


def baseline_path(explicit: str | None, configured: str | None, root: Path,
                  config_source: str | None = None) -> Path | None:
    if explicit is None and configured is None and not (root / ".secrets.baseline").is_file():
        return None
    from secretshift.baseline import resolve_baseline_path

    path: Path | None = resolve_baseline_path(explicit, configured, root, config_source)
    return path


# -- the `scan` command's git options -----------------------------------------------------------
def selection_from_args(args: argparse.Namespace, paths: Iterable[str]) -> GitSelection:
    targets = list(paths)
    if len(targets) > 1:
        raise FatalError("--diff/--history take at most one PATH: the repository")
    if args.diff and args.history:
        raise FatalError("--diff and --history are mutually exclusive")
    if (args.branch or args.since) and not args.history:
        raise FatalError("--branch and --since need --history")
    if args.no_git:
        raise FatalError("--no-git cannot be combined with --diff/--history")
    where = targets[0] if targets else "."
    if args.diff:
        return diff_selection(where, args.diff)
    return history_selection(where, args.branch, args.since)


def run_git_scan(args: argparse.Namespace) -> int:
    """`secretshift scan --diff/--history`: report, then exit 1 on findings the baseline does
    not accept."""
    from secretshift.commands.scan import check_show_secrets, emit, resolve_config, summary
    from secretshift.progress import progress_wanted
    from secretshift.report import ReportInput, reporters
    from secretshift.scan import all_rule_descriptions

    if getattr(args, "staged", False):
        raise FatalError("--staged cannot be combined with --diff/--history")
    show = check_show_secrets(args)
    selection = selection_from_args(args, args.paths)
    config = resolve_config(args, selection.root)
    # The same baseline as `scan`, `hook` and `ci`: --baseline, the config's, the root's.
    no_baseline = getattr(args, "no_baseline", False)
    baseline = None if no_baseline else baseline_path(getattr(args, "baseline", None), config.baseline,
                                                      Path(selection.root), config.source)
    scan = scan_selection(selection, config, show_progress=progress_wanted(sys.stderr))
    for note in scan.notes():
        print(f"secretshift: {note}", file=sys.stderr)
    new, accepted, other = new_findings(scan.result.findings, baseline)
    from secretshift.fixhints import mark_history_only

    new = mark_history_only(new, Path(selection.root))
    result = ScanResult(new, scan.result.skipped, scan.result.files_scanned, scan.result.bytes_scanned)
    rules = all_rule_descriptions(config) if args.format == "sarif" else []
    emit(reporters()[args.format](ReportInput(result, rules, show, accepted)), args.output)
    extra = f" across {scan.commits} commits"
    if baseline is not None:
        extra += f", {len(accepted) + other} accepted by the baseline"
    print(summary(result, extra), file=sys.stderr)
    return EXIT_FINDINGS if new else EXIT_CLEAN
