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

from secretshift.errors import EXIT_CLEAN, FatalError
from secretshift.models import Finding, Skipped
from secretshift.output import exit_code, report_input, write_report
from secretshift.report import REPORTERS

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
    parser.add_argument("--no-fail", action="store_true", help="report only: exit 0 even on new findings")
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
    from secretshift.cienv import detect_range, provider_name
    from secretshift.config import load_config
    from secretshift.pipeline import scan_commits
    from secretshift.progress import progress_wanted
    from secretshift.sources.git import ci_selection
    from secretshift.triage import load_baseline_for, triage_named
    from secretshift.validate.flags import options_from

    validate = options_from(args)  # a flag mistake is an error before anything is scanned
    env = os.environ
    provider = provider_name(env)
    fmt = args.format or ("github" if provider == "github" else "text")
    extra = _extra_reports(args)
    ci_range = detect_range(env, args.base, args.head)
    selection = ci_selection(args.repo, ci_range)
    config = load_config(args.config, Path(selection.root))
    baseline, _ = load_baseline_for(args.baseline, config, Path(selection.root))
    scan = scan_commits(selection, config, show_progress=progress_wanted(sys.stderr))
    # Commit findings' paths are relative to the repository root, as the baseline's are.
    triaged = triage_named(((f.path, f) for f in scan.result.findings), baseline)
    if validate is not None:
        from secretshift.validate.command import validate_triage

        triaged = validate_triage(triaged, validate, [Path(selection.root)], args.only_valid)
    report = report_input(config, ["sarif"], scan.result, triaged)
    write_report(fmt, report, args.output)
    if provider == "github" and (args.output or fmt == "text"):
        # Annotations only work on stdout; machine-readable reports on stdout stay unmixed.
        write_report("github", report, None)
    for extra_fmt, path in extra:
        write_report(extra_fmt, report, path)
    notes = scan.source.notes()
    for note in notes:
        print(f"secretshift: {note}", file=sys.stderr)
    if provider == "github":
        _github_files(env, list(triaged.new), list(triaged.to_migrate), triaged.baselined, scan.result.skipped,
                      scan.source.commits, selection.label, notes, args.sarif)
    print(
        f"secretshift ci: {len(triaged.new)} new finding(s), {len(triaged.to_migrate) + triaged.baselined} in the "
        f"baseline, {scan.source.commits} commit(s) checked ({selection.label})",
        file=sys.stderr,
    )
    return EXIT_CLEAN if args.no_fail else exit_code(triaged)


def _github_files(
    env: Mapping[str, str], new: list[Finding], accepted: list[Finding], baselined: int, skipped: Sequence[Skipped],
    commits: int, label: str, notes: list[str], sarif: str | None,
) -> None:
    from secretshift.report.summary import render_summary

    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        _append(summary_path, render_summary(new, accepted, skipped, commits, label, notes, baselined))
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        _append(output_path, _output("findings", str(len(new))) + _output("sarif", sarif or ""))


def _output(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    return f"{name}={value}\n"


def _append(path: str, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FatalError(f"cannot write {path}: {exc.strerror}") from None
