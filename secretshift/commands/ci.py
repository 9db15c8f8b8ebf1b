"""`secretshift ci`: check the commits of a pull request / merge request / push.

The provider and the commit range come from the environment (see :mod:`secretshift.cienv`).
Every commit in the range is scanned (a secret added and removed again is still caught), reports
are written, and the exit code is 1 only for findings that the baseline does not accept.
"""
from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift.errors import EXIT_CLEAN, FatalError
from secretshift.models import Finding, Skipped
from secretshift.output import exit_code, report_input, write_report
from secretshift.report import REPORTERS
from secretshift.textutil import printable_path

if TYPE_CHECKING:
    from secretshift.report import ReportInput

_FORMATS = tuple(REPORTERS)  # every format in the report registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REV", help="first commit NOT to check (default: from the CI environment)")
    parser.add_argument("--head", metavar="REV", help="last commit to check (default: from the CI environment)")
    parser.add_argument("--repo", default=".", metavar="PATH", help="the repository (default: .)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    parser.add_argument("--baseline", metavar="FILE", help="baseline of accepted findings (default: from config)")
    parser.add_argument("--format", choices=_FORMATS, help="report on stdout/--output (default: github on GitHub Actions, else text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the --format report to FILE")
    parser.add_argument("--sarif", metavar="FILE", help="also write a SARIF report (for code scanning)")
    parser.add_argument(
        "--report", action="append", default=[], metavar="FORMAT=FILE",
        help="also write a report in FORMAT to FILE (repeatable), e.g. junit=secretshift.xml",
    )
    from secretshift.config import GATE_MIN_CONFIDENCE, add_min_confidence_argument

    add_min_confidence_argument(parser, GATE_MIN_CONFIDENCE)
    parser.add_argument("--no-fail", action="store_true", help="report only: exit 0 even on new findings")
    parser.add_argument(
        "--trust-head-config", action="store_true",
        help="obey the checked-out config and baseline even where the change widens what the gate accepts "
             "(default: the base commit's; only for changes already reviewed, never for pull requests)",
    )
    from secretshift.validate.flags import add_arguments as add_validate_arguments

    add_validate_arguments(parser)


def _extra_reports(args: argparse.Namespace) -> list[tuple[str, str]]:
    wanted = [("sarif", args.sarif)] if args.sarif else []
    for item in args.report:
        fmt, sep, path = item.partition("=")
        if not sep or fmt not in _FORMATS or not path:
            raise FatalError(f"--report expects FORMAT=FILE with FORMAT one of {', '.join(_FORMATS)}: got {item!r}")
        wanted.append((fmt, path))
    return wanted


def run(args: argparse.Namespace) -> int:
    from secretshift.ci_trust import base_commit, gate_settings
    from secretshift.cienv import detect_range, provider_name
    from secretshift.config import GATE_MIN_CONFIDENCE, with_min_confidence
    from secretshift.fixhints import mark_history_only
    from secretshift.pipeline import scan_commits
    from secretshift.progress import progress_wanted
    from secretshift.sources.git import ci_selection
    from secretshift.triage import triage_named
    from secretshift.validate.flags import options_from

    validate = options_from(args)  # a flag mistake is an error before anything is scanned
    env = os.environ
    provider = provider_name(env)
    fmt = args.format or ("github" if provider == "github" else "text")
    extra = _extra_reports(args)
    ci_range = detect_range(env, args.base, args.head)
    selection = ci_selection(args.repo, ci_range)
    root = Path(selection.root)
    # The config and baseline the gate obeys come from the base commit: the change under check
    # must not configure its own gate (see secretshift.ci_trust).
    base = None if selection.empty else base_commit(selection)
    settings = gate_settings(root, base, args.config, args.baseline, args.trust_head_config or selection.empty)
    config = with_min_confidence(settings.config, args.min_confidence, GATE_MIN_CONFIDENCE)
    scan = scan_commits(selection, config, show_progress=progress_wanted(sys.stderr))
    # Commit findings' paths are relative to the repository root, as the baseline's are.
    triaged = mark_history_only(triage_named(((f.path, f) for f in scan.result.findings), settings.baseline), root)
    if validate is not None:
        from secretshift.validate.command import validate_triage

        triaged = validate_triage(triaged, validate, [root], args.only_valid)
    report = report_input(config, ["sarif"], scan.result, triaged)
    failures = _write_reports(report, fmt, args.output, extra, provider, root)
    notes = [*scan.source.notes(), *settings.notes]
    for note in notes:
        print(f"secretshift: {printable_path(note)}", file=sys.stderr)
    if provider == "github":
        failures += _github_files(env, list(triaged.new), list(triaged.to_migrate), triaged.baselined,
                                  scan.result.skipped, scan.source.commits, selection.label, notes, args.sarif, root)
    print(
        f"secretshift ci: {len(triaged.new)} new finding(s), {len(triaged.to_migrate) + triaged.baselined} in the "
        f"baseline, {scan.source.commits} commit(s) checked ({selection.label})",
        file=sys.stderr,
    )
    if failures:
        raise FatalError("; ".join(failures))
    return EXIT_CLEAN if args.no_fail else exit_code(triaged)


def _write_reports(report: ReportInput, fmt: str, output: str | None, extra: list[tuple[str, str]],
                   provider: str, root: Path) -> list[str]:
    """Every report, each on its own: one that cannot be written (a refused symlink, a full disk)
    is named in the error at the end, and the others are still written."""
    wanted: list[tuple[str, str | None]] = [(fmt, output)]
    if provider == "github" and (output or fmt == "text"):
        # Annotations only work on stdout; machine-readable reports on stdout stay unmixed.
        wanted.append(("github", None))
    wanted += extra
    failures = []
    for name, path in wanted:
        try:
            write_report(name, report, path, root)
        except FatalError as exc:
            failures.append(str(exc))
            print(f"secretshift: error: {exc}", file=sys.stderr)
        except Exception as exc:  # a reporter's bug: the other reports and the outputs still matter
            failures.append(f"internal error writing the {name} report ({type(exc).__name__})")
            print(f"secretshift: error: {failures[-1]}", file=sys.stderr)
    return failures


def _github_files(
    env: Mapping[str, str], new: list[Finding], accepted: list[Finding], baselined: int, skipped: Sequence[Skipped],
    commits: int, label: str, notes: list[str], sarif: str | None, root: Path,
) -> list[str]:
    """The job summary and the step outputs; each written even when the other fails."""
    from secretshift.report.summary import render_summary

    failures = []
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        failures += _append(summary_path, render_summary(new, accepted, skipped, commits, label, notes, baselined), root)
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        failures += _append(output_path, _output("findings", str(len(new))) + _output("sarif", sarif or ""), root)
    return failures


def _output(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    return f"{name}={value}\n"


def _append(path: str, text: str, root: Path) -> list[str]:
    from secretshift.safe_write import PathOrigin, append_text

    try:
        # The runner names these files (its environment, not the repository): they may lie
        # outside the checkout, but are still never followed through a symlink.
        append_text(path, text.encode("utf-8", "backslashreplace").decode("utf-8"), root=root,
                    origin=PathOrigin.NAMED_BY_USER)
    except FatalError as exc:
        print(f"secretshift: error: {exc}", file=sys.stderr)
        return [str(exc)]
    return []
