"""`secretshift scan [PATH ...]`: find secrets in files and directories."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift.config import (
    SCAN_MIN_CONFIDENCE, Config, add_min_confidence_argument, load_config, parse_size, with_min_confidence,
    with_rule_files,
)
from secretshift.errors import FatalError
from secretshift.models import ScanResult
from secretshift.output import exit_code, print_summary, report_input, write_report
from secretshift.triage import Triage

if TYPE_CHECKING:
    from secretshift.sources.git import GitSelection


def add_output_arguments(parser: argparse.ArgumentParser, formats: list[str]) -> None:
    parser.add_argument("--format", choices=formats, default="text", help="report format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="show plaintext secrets (only when writing to a terminal; redacted everywhere else)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from secretshift.report import reporters

    from secretshift.commands import rule_flags

    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories (default: .); `-` reads standard input")
    add_output_arguments(parser, sorted(reporters()))
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    parser.add_argument(
        "--no-git", "--all-files", dest="no_git", action="store_true",
        help="scan every file, ignoring .gitignore",
    )
    parser.add_argument("--max-file-size", metavar="SIZE", help="skip larger files (default 25MB)")
    add_min_confidence_argument(parser, SCAN_MIN_CONFIDENCE)
    parser.add_argument("--rules", action="append", metavar="FILE",
                        help="more rules: a secretshift rule pack or a gitleaks/betterleaks .toml (repeatable)")
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes (default: auto)")
    parser.add_argument("--staged", action="store_true",
                        help="scan what `git commit` would add (the index), not the work tree")
    parser.add_argument("--baseline", metavar="PATH",
                        help="report only findings this baseline does not accept (default: `baseline` in the "
                             "config, else .secrets.baseline at the repository root)")
    parser.add_argument("--no-baseline", action="store_true", help="report every finding, ignoring any baseline")
    parser.add_argument("--stdin", action="store_true", help="scan standard input (as `scan -`)")
    parser.add_argument("--stdin-name", metavar="NAME",
                        help="the name standard input is reported under and read as (its file kind: "
                             "`.env`, `values.yaml`...); default <stdin>")
    parser.add_argument("--explain", "-v", action="store_true",
                        help="say for each finding which rule found it and which filters it passed")
    parser.add_argument("--explain-dropped", action="append", default=[], metavar="PATH:LINE",
                        help="say why nothing (or what) was reported on that line (repeatable)")
    rule_flags.add_arguments(parser)
    from secretshift.validate.flags import add_arguments as add_validate_arguments

    add_validate_arguments(parser)
    group = parser.add_argument_group("git history (PATH is then the repository, default .)")
    group.add_argument("--diff", metavar="BASE..HEAD", help="scan the lines added by each commit in the range")
    group.add_argument("--history", action="store_true", help="scan every commit reachable from any ref")
    group.add_argument("--branch", metavar="REF", help="with --history: only commits reachable from REF")
    group.add_argument("--since", metavar="DATE", help="with --history: only commits after DATE (committer date)")


def check_show_secrets(args: argparse.Namespace) -> bool:
    if not args.show_secrets:
        return False
    if args.output or not sys.stdout.isatty():
        raise FatalError("--show-secrets only prints to a terminal; reports and pipes stay redacted")
    return True


def resolve_config(args: argparse.Namespace, first_path: str | None) -> Config:
    search_from = None
    if first_path is not None:
        first = Path(first_path)
        search_from = first if first.is_dir() else first.parent
    config = load_config(getattr(args, "config", None), search_from)
    config = with_min_confidence(config, getattr(args, "min_confidence", None), SCAN_MIN_CONFIDENCE)
    config = with_rule_files(config, getattr(args, "rules", None))
    if getattr(args, "max_file_size", None):

        config = config._replace(max_file_size=parse_size(args.max_file_size, "--max-file-size"))
    from secretshift.commands import rule_flags

    return rule_flags.apply(args, config)


def _baseline_applies(args: argparse.Namespace, config: Config) -> bool:
    if getattr(args, "no_baseline", False):
        if getattr(args, "baseline", None):
            raise FatalError("--baseline and --no-baseline are mutually exclusive")
        return False
    if getattr(args, "baseline", None) or config.baseline:
        return True
    from secretshift.baseline_file import BASELINE_NAME, find_repo_root

    return (find_repo_root(Path.cwd()) / BASELINE_NAME).is_file()


def run(args: argparse.Namespace) -> int:
    from secretshift.validate.flags import options_from

    options_from(args)  # a `--validate` flag mistake is an error before anything is scanned
    history = [flag for flag in ("diff", "history", "branch", "since") if getattr(args, flag, None)]
    if history:
        return _run_commits(args)  # GitPython is imported only on this path
    if getattr(args, "explain_dropped", None):
        from secretshift.explain import run_explain_dropped

        return run_explain_dropped(args, resolve_config(args, None))
    if getattr(args, "staged", False):
        return _run_staged(args)
    if getattr(args, "stdin", False) or args.paths == ["-"]:
        return _run_stdin(args)
    if "-" in args.paths:
        raise FatalError("`-` (standard input) cannot be combined with other paths")
    return _run_paths(args)


def _run_stdin(args: argparse.Namespace) -> int:
    """Standard input as one file named --stdin-name; a baseline applies only when asked for
    (--baseline), since the input has no place in the repository."""
    from secretshift.pipeline import PathFilter, run
    from secretshift.scanner.build import build_engine
    from secretshift.sources.stdin import STDIN_NAME, StdinSource
    from secretshift.triage import load_baseline_for, triage_named

    if args.paths not in ([], ["-"]):
        raise FatalError("--stdin reads standard input; give no paths")
    config = resolve_config(args, None)
    show = check_show_secrets(args)
    source = StdinSource(sys.stdin.buffer, config.max_file_size, args.stdin_name or STDIN_NAME)
    result = run(build_engine(config, small=True), source, PathFilter(config))
    baseline = None
    if args.baseline:
        from secretshift.baseline_file import find_repo_root

        baseline, _ = load_baseline_for(args.baseline, config, find_repo_root(Path.cwd()))
    triaged = triage_named(((f.path, f) for f in result.findings), baseline)
    return _finish(args, config, result, triaged, show, _accepted_note(triaged, baseline is not None))


def _run_paths(args: argparse.Namespace) -> int:
    from secretshift.pipeline import scan_paths

    paths = args.paths or ["."]
    config = resolve_config(args, paths[0])
    show = check_show_secrets(args)
    # A baseline filters the scan as it filters `hook` and `ci`: --baseline, the config's
    # `baseline`, else .secrets.baseline at the repository root (--no-baseline: report all).
    if not _baseline_applies(args, config):
        result = scan_paths(paths, config, use_git=not args.no_git, jobs=args.jobs)
        return _finish(args, config, result, Triage(tuple(result.findings)), show)
    from secretshift.baseline_file import find_repo_root
    from secretshift.rooted_scan import scan_rooted
    from secretshift.triage import load_baseline_for, triage_named

    root = find_repo_root(Path.cwd())
    baseline, _ = load_baseline_for(args.baseline, config, root)
    rooted = scan_rooted(paths, config, root, use_git=not args.no_git, jobs=args.jobs)
    triaged = triage_named(rooted.named, baseline)
    return _finish(args, config, rooted.result, triaged, show, _accepted_note(triaged, baseline is not None))


def _run_staged(args: argparse.Namespace) -> int:
    """`scan --staged`: the gate of the plain git hook, so its text output is the hook's message."""
    from secretshift.baseline_file import find_repo_root
    from secretshift.gate import accepted_message, check_staged, failure_message
    from secretshift.triage import load_baseline_for

    if args.paths:
        raise FatalError("--staged scans the index; give no paths")
    if getattr(args, "validate", False):
        raise FatalError("--validate cannot be combined with --staged: the commit path stays offline")
    show = check_show_secrets(args)
    root = find_repo_root(Path.cwd())
    config = resolve_config(args, str(root))
    baseline, baseline_path = (None, None) if args.no_baseline else load_baseline_for(args.baseline, config, root)
    gate = check_staged(config, baseline, baseline_path, root)
    if args.format == "text" and not args.output and not show:
        sys.stdout.write(accepted_message(gate))
        if gate.new:
            sys.stdout.write(failure_message(gate, root))
        print_summary(gate.result, gate.triage, _accepted_note(gate.triage, baseline is not None))
        return exit_code(gate.triage)
    return _finish(args, config, gate.result, gate.triage, show, _accepted_note(gate.triage, baseline is not None))


def _run_commits(args: argparse.Namespace) -> int:
    """`scan --diff/--history`: report, then exit 1 on findings the baseline does not accept."""
    from secretshift.fixhints import mark_history_only
    from secretshift.pipeline import scan_commits
    from secretshift.progress import progress_wanted
    from secretshift.triage import load_baseline_for, triage_named

    if getattr(args, "staged", False):
        raise FatalError("--staged cannot be combined with --diff/--history")
    show = check_show_secrets(args)
    selection = _selection(args, args.paths)
    config = resolve_config(args, selection.root)
    # The same baseline as `scan`, `hook` and `ci`: --baseline, the config's, the root's.
    baseline = None if args.no_baseline else load_baseline_for(
        getattr(args, "baseline", None), config, Path(selection.root))[0]
    scan = scan_commits(selection, config, show_progress=progress_wanted(sys.stderr), jobs=args.jobs)
    for note in scan.source.notes():
        print(f"secretshift: {note}", file=sys.stderr)
    # Commit findings' paths are relative to the repository root, as the baseline's are.
    triaged = mark_history_only(triage_named(((f.path, f) for f in scan.result.findings), baseline),
                                Path(selection.root))
    extra = f" across {scan.source.commits} commits" + _accepted_note(triaged, baseline is not None)
    return _finish(args, config, scan.result, triaged, show, extra)


def _accepted_note(triaged: Triage, has_baseline: bool) -> str:
    if not has_baseline:
        return ""
    accepted = triaged.baselined + len(triaged.to_migrate)
    real = f" ({len(triaged.to_migrate)} labelled real, still to migrate)" if triaged.to_migrate else ""
    return f", {accepted} accepted by the baseline{real}"


def _finish(args: argparse.Namespace, config: Config, result: ScanResult, triaged: Triage, show: bool,
            extra: str = "") -> int:
    from secretshift.validate.flags import options_from

    validate = options_from(args)
    if validate is not None:
        from secretshift.validate.command import validate_triage

        bases = [Path(p) for p in (args.paths or ["."])] + [Path.cwd()]
        triaged = validate_triage(triaged, validate, bases, args.only_valid)
    report = report_input(config, [args.format], result, triaged, show)
    write_report(args.format, report, args.output)
    if getattr(args, "explain", False):
        from secretshift.explain import explain_findings

        sys.stderr.write(explain_findings(report.result.findings, config))
    print_summary(result, triaged, extra)
    return exit_code(triaged)


def _selection(args: argparse.Namespace, paths: Iterable[str]) -> GitSelection:
    from secretshift.sources.git import diff_selection, history_selection

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
