"""The `secretshift` pre-commit hook (`secretshift hook [FILES...]`).

Checks what the commit adds to the files pre-commit passes (their added lines; new files and
files with nothing staged whole), or to the whole index when no file is given, and fails only
on findings that the baseline does not accept. Offline and
read-only: it never writes the baseline, so line moves never rewrite a file. As a plain git
pre-push hook (`--pre-push REMOTE [URL]`, written by `secretshift install-hook --pre-push`) it
scans every commit being pushed instead.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="files to scan (default: the staged changes, read from the index)")
    parser.add_argument("--baseline", metavar="PATH",
                        help="baseline file (default: `baseline` in the config, else .secrets.baseline at the repository root)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    from secretshift.config import GATE_MIN_CONFIDENCE, add_min_confidence_argument

    add_min_confidence_argument(parser, GATE_MIN_CONFIDENCE)
    parser.add_argument("--pre-push", nargs="+", metavar="REMOTE",
                        help="as a plain git pre-push hook: scan every commit being pushed (reads git's input)")


def pushed_range(pre_push: Sequence[str] | None, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(git's pre-push input lines, remote) when this run checks a push: as a plain git pre-push
    hook (`--pre-push REMOTE`, the lines on stdin), or in pre-commit's pre-push stage (it names
    the range in PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF): the pushed commits' added lines."""
    if pre_push:
        return sys.stdin.read(), pre_push[0]
    start, end = environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
    if environ.get("PRE_COMMIT") == "1" and start and end:
        remote = environ.get("PRE_COMMIT_REMOTE_NAME") or "origin"
        return f"HEAD {end} {environ.get('PRE_COMMIT_REMOTE_BRANCH') or 'HEAD'} {start}\n", remote
    return None


def run(args: argparse.Namespace) -> int:
    from secretshift.baseline_file import find_repo_root
    from secretshift.config import GATE_MIN_CONFIDENCE, load_config, with_min_confidence
    from secretshift.gate import accepted_message, check_commit_files, check_staged, failure_message
    from secretshift.triage import load_baseline_for

    root = find_repo_root(Path.cwd())
    config = with_min_confidence(load_config(args.config, root), args.min_confidence, GATE_MIN_CONFIDENCE)
    baseline, baseline_path = load_baseline_for(args.baseline, config, root)
    pushed = pushed_range(args.pre_push, os.environ)
    if pushed is not None:
        from secretshift.gate import check_pushed

        gate = check_pushed(pushed[0], pushed[1], config, baseline, baseline_path, root)
    elif args.files:
        gate = check_commit_files(args.files, config, baseline, baseline_path, root)
    else:
        gate = check_staged(config, baseline, baseline_path, root)
    sys.stdout.write(accepted_message(gate))
    if gate.new:
        sys.stdout.write(failure_message(gate, root))
        return EXIT_FINDINGS
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """`secretshift-hook` is `secretshift hook`: one parser, one error boundary (a bug exits 2,
    never 1, and its message is never printed)."""
    from secretshift.cli import main as cli_main

    return cli_main(["hook", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
