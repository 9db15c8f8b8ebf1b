"""The one ending of every scan: render the report(s), write them, say what was found, and return
the exit code (0 clean, 1 new findings). Report formats come from the registry in
:mod:`secretshift.report`."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from secretshift.config import Config
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError
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
    return ReportInput(reported, rules, show_secrets, accepted=triage.to_migrate)


def write_report(fmt: str, report: ReportInput, output: str | None) -> None:
    emit(reporters()[fmt](report), output)


def exit_code(triage: Triage) -> int:
    return EXIT_FINDINGS if triage.new else EXIT_CLEAN


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


def summary(result: ScanResult, new: int, extra: str = "") -> str:
    noun = "secret" if new == 1 else "secrets"
    text = f"secretshift: {new} {noun} found in {result.files_scanned} files ({result.bytes_scanned / 1e6:.1f} MB)"
    if result.skipped:
        text += f", {len(result.skipped)} skipped"
    return text + extra


def print_summary(result: ScanResult, triage: Triage, extra: str = "") -> None:
    print(summary(result, len(triage.new), extra), file=sys.stderr)
