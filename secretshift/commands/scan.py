"""`secretshift scan [PATH ...]`: find secrets in files and directories."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from secretshift.config import (
    SCAN_MIN_CONFIDENCE, Config, add_min_confidence_argument, load_config, parse_size, with_min_confidence,
)
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError
from secretshift.models import ScanResult


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

    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    add_output_arguments(parser, sorted(reporters()))
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    parser.add_argument(
        "--no-git", "--all-files", dest="no_git", action="store_true",
        help="scan every file, ignoring .gitignore",
    )
    parser.add_argument("--max-file-size", metavar="SIZE", help="skip larger files (default 25MB)")
    add_min_confidence_argument(parser, SCAN_MIN_CONFIDENCE)
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes (default: auto)")
    parser.add_argument("--staged", action="store_true",
                        help="scan what `git commit` would add (the index), not the work tree")
    parser.add_argument("--baseline", metavar="PATH", help="report only findings this baseline does not accept")
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


def emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(os.path.realpath(output))  # through a symlink: replace the file, keep the link
    if target.exists() and not target.is_file():
        # /dev/null, /dev/stdout, a FIFO: write into it. Replacing it with a regular file (as the
        # atomic path below would) turned `--output /dev/null` run as root into a broken system.
        try:
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise FatalError(f"cannot write {output}: {exc.strerror}") from None
        return
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FatalError(f"cannot write {output}: {exc.strerror}") from None


def summary(result: ScanResult, extra: str = "") -> str:
    count = len(result.findings)
    noun = "secret" if count == 1 else "secrets"
    text = f"secretshift: {count} {noun} found in {result.files_scanned} files ({result.bytes_scanned / 1e6:.1f} MB)"
    if result.skipped:
        text += f", {len(result.skipped)} skipped"
    return text + extra


def resolve_config(args: argparse.Namespace, first_path: str | None) -> Config:
    search_from = None
    if first_path is not None:
        first = Path(first_path)
        search_from = first if first.is_dir() else first.parent
    config = load_config(getattr(args, "config", None), search_from)
    config = with_min_confidence(config, getattr(args, "min_confidence", None), SCAN_MIN_CONFIDENCE)
    if getattr(args, "max_file_size", None):
        from dataclasses import replace

        config = replace(config, max_file_size=parse_size(args.max_file_size, "--max-file-size"))
    return config


def run(args: argparse.Namespace) -> int:
    if args.diff or args.history or args.branch or args.since:
        from secretshift.gitscan import run_git_scan

        return run_git_scan(args)  # GitPython is imported only on this path
    from secretshift.report import ReportInput, reporters
    from secretshift.scan import all_rule_descriptions, scan_paths

    paths = args.paths or ["."]
    config = resolve_config(args, paths[0])
    # A baseline named on the command line or in the project's config filters the scan too.
    if getattr(args, "staged", False) or getattr(args, "baseline", None) or config.baseline:
        from secretshift.commands.scan_baseline import run_with_baseline

        return run_with_baseline(args)
    show = check_show_secrets(args)
    result = scan_paths(paths, config, use_git=not args.no_git, jobs=args.jobs)
    rules = all_rule_descriptions(config) if args.format == "sarif" else []
    emit(reporters()[args.format](ReportInput(result, rules, show)), args.output)
    print(summary(result), file=sys.stderr)
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN
