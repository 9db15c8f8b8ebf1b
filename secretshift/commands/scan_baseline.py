"""`secretshift scan --staged` and `secretshift scan --baseline PATH`: scans that only fail on
findings the baseline does not accept. `--staged` is the gate of the plain git hook, so its
text output is the commit hook's message."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secretshift.commands.scan import check_show_secrets, emit, resolve_config, summary
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError
from secretshift.gate import GateResult, load_gate_baseline
from secretshift.models import ScanResult


def run_with_baseline(args: argparse.Namespace) -> int:
    from secretshift.baseline import find_repo_root

    history = [flag for flag in ("diff", "history", "branch", "since") if getattr(args, flag, None)]
    if history:
        # Commit ranges with a baseline are the CI check's job (`secretshift ci --baseline`).
        raise FatalError(f"--staged/--baseline cannot be combined with --{history[0]}")
    show = check_show_secrets(args)
    root = find_repo_root(Path.cwd())
    if args.staged:
        from secretshift.gate import check_staged

        if args.paths:
            raise FatalError("--staged scans the index; give no paths")
        config = resolve_config(args, str(root))
        baseline, baseline_path = load_gate_baseline(args.baseline, config, root)
        gate = check_staged(config, baseline, baseline_path, root)
    else:
        from secretshift.baseline_scan import scan_rooted
        from secretshift.gate import split_named

        paths = args.paths or ["."]
        config = resolve_config(args, paths[0])
        baseline, baseline_path = load_gate_baseline(args.baseline, config, root)
        rooted = scan_rooted(paths, config, root, use_git=not args.no_git, jobs=args.jobs)
        new, real, other = split_named(rooted.named, baseline)
        gate = GateResult(tuple(new), tuple(real), other, rooted.result, baseline_path)
    result = replace_findings(gate)
    if args.staged and args.format == "text" and not args.output and not show:
        from secretshift.gate import accepted_message, failure_message

        sys.stdout.write(accepted_message(gate))
        if gate.new:
            sys.stdout.write(failure_message(gate, root))
    else:
        from secretshift.report import ReportInput, reporters
        from secretshift.scan import all_rule_descriptions

        rules = all_rule_descriptions(config) if args.format == "sarif" else []
        report = ReportInput(result, rules, show, accepted=gate.to_migrate)
        emit(reporters()[args.format](report), args.output)
    extra = f", {gate.baselined + len(gate.to_migrate)} accepted by the baseline" if baseline else ""
    print(summary(result, extra), file=sys.stderr)
    return EXIT_FINDINGS if gate.new else EXIT_CLEAN


def replace_findings(gate: GateResult) -> ScanResult:
    result = gate.result
    return ScanResult(list(gate.new), result.skipped, result.files_scanned, result.bytes_scanned)
