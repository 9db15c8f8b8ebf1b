"""The one ending of every scan: render the report(s), write them, say what was found, and return
the exit code (0 clean, 1 new findings). Report formats come from the registry in
:mod:`secretshift.report`."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from secretshift.config import Config
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS
from secretshift.models import ScanResult
from secretshift.report import ReportInput, reporters
from secretshift.triage import Triage


def report_input(config: Config, formats: Iterable[str], result: ScanResult, triage: Triage,
                 show_secrets: bool = False) -> ReportInput:
    """What the renderers see: only the new findings fail, the accepted real ones are listed.
    Rule descriptions are gathered only when a format needs them (SARIF, HTML)."""
    rules = []
    if {"sarif", "html"} & set(formats):
        from secretshift.scanner.build import all_rule_descriptions

        rules = all_rule_descriptions(config)
    reported = ScanResult(list(triage.new), result.skipped, result.files_scanned, result.bytes_scanned)
    return ReportInput(reported, rules, show_secrets, accepted=triage.to_migrate, baselined=triage.baselined)


def write_report(fmt: str, report: ReportInput, output: str | None, root: Path | None = None) -> None:
    emit(reporters()[fmt](report), output, root)


def exit_code(triage: Triage) -> int:
    return EXIT_FINDINGS if triage.new else EXIT_CLEAN


def emit(text: str, output: str | None, root: Path | None = None) -> None:
    """Write a report to stdout or to ``output`` (named on the command line, so it may lie outside
    the repository). Never through a symlink: a pull request can commit one named like the report
    (see :mod:`secretshift.safe_write`). ``root``: the repository (default: around the cwd)."""
    # A file name holding undecodable bytes (a lone surrogate) is written as its \udcXX escape:
    # one odd name must not crash the report (and the reports after it).
    if output is None:
        sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        return
    from secretshift.baseline_file import find_repo_root
    from secretshift.safe_write import PathOrigin, write_bytes

    repo = root if root is not None else find_repo_root(Path.cwd())
    write_bytes(output, text.encode("utf-8", "backslashreplace"), root=repo, origin=PathOrigin.NAMED_BY_USER)


def summary(result: ScanResult, new: int, extra: str = "") -> str:
    noun = "secret" if new == 1 else "secrets"
    files = "file" if result.files_scanned == 1 else "files"
    text = f"secretshift: {new} {noun} found in {result.files_scanned} {files} ({_size(result.bytes_scanned)})"
    if result.skipped:
        text += f", {len(result.skipped)} skipped"
    return text + extra


def _size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} byte{'' if count == 1 else 's'}"


def print_summary(result: ScanResult, triage: Triage, extra: str = "") -> None:
    print(summary(result, len(triage.new), extra), file=sys.stderr)
