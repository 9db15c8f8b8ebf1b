"""The `secretshift` pre-commit hook (`secretshift hook [FILES...]`).

Scans the files pre-commit passes (they hold the staged content), or the index itself when no
file is given, and fails only on findings that the baseline does not accept. Offline and
read-only: it never writes the baseline, so line moves never rewrite a file. As a plain git
pre-push hook (`--pre-push REMOTE [URL]`, written by `secretshift install-hook --pre-push`) it
scans every commit being pushed instead.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="files to scan (default: the staged changes, read from the index)")
    parser.add_argument("--baseline", metavar="PATH",
                        help="baseline file (default: `baseline` in the config, else .secrets.baseline at the repository root)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    parser.add_argument("--pre-push", nargs="+", metavar="REMOTE",
                        help="as a plain git pre-push hook: scan every commit being pushed (reads git's input)")


def run(args: argparse.Namespace) -> int:
    from secretshift.baseline_file import find_repo_root
    from secretshift.config import load_config
    from secretshift.gate import accepted_message, check_files, check_staged, failure_message
    from secretshift.triage import load_baseline_for

    root = find_repo_root(Path.cwd())
    config = load_config(args.config, root)
    baseline, baseline_path = load_baseline_for(args.baseline, config, root)
    if args.pre_push:
        from secretshift.gate import check_pushed

        gate = check_pushed(sys.stdin.read(), args.pre_push[0], config, baseline, baseline_path, root)
    elif args.files:
        gate = check_files(args.files, config, baseline, baseline_path, root)
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
