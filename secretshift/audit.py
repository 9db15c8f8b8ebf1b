"""`secretshift baseline audit`: label baseline entries in a terminal, or summarise them.

Each entry is found again by scanning its file and matching the secret's hash; the prompt shows
the redacted value and its line with the secret masked, never the plaintext.
"""
from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from secretshift.baseline_file import Baseline, BaselineEntry, load_baseline, write_baseline
from secretshift.config import Config
from secretshift.scanner.engine import Engine
from secretshift.errors import EXIT_CLEAN, FatalError
from secretshift.models import Blob, Finding
from secretshift.textutil import decode, printable_path

_LABELS = {True: "real", False: "false positive", None: "unlabelled"}


def audit_report(path: Path, config: Config) -> str:
    baseline = load_baseline(path, config.hash_key)
    by_type: Counter[tuple[str, bool | None]] = Counter((e.type, e.is_secret) for e in baseline.entries)
    labels: Counter[bool | None] = Counter(e.is_secret for e in baseline.entries)
    lines = [f"{path}: {len(baseline.entries)} entries in {len({e.filename for e in baseline.entries})} files"]
    lines.append("  " + ", ".join(f"{labels[label]} {_LABELS[label]}" for label in (True, False, None)))
    width = max((len(t) for t, _ in by_type), default=0)
    for kind in sorted({t for t, _ in by_type}):
        counts = ", ".join(f"{by_type[(kind, label)]} {_LABELS[label]}" for label in (True, False, None)
                           if by_type[(kind, label)])
        lines.append(f"  {kind:<{width}}  {counts}")
    real = [e for e in baseline.entries if e.is_secret]
    if real:
        lines.append("Labelled real, still to migrate (secretshift migrate plan PATH:LINE):")
        lines += [f"  {printable_path(e.filename)}:{e.line_number or '?'}  {e.type}" for e in real]
    return "\n".join(lines) + "\n"


def _locate(entry: BaselineEntry, root: Path, engine: Engine) -> tuple[Finding, bytes, list[Finding]] | None:
    """The finding the entry stands for, the file's bytes, and every finding in the file (all of
    them are masked where the line is shown)."""
    try:
        data = (root / entry.filename).read_bytes()
    except OSError:
        return None
    findings = engine.scan(Blob(entry.filename, data))
    for finding in findings:
        if finding.secret_hash == entry.hashed_secret:
            return finding, data, findings
    return None


def _masked_line(finding: Finding, data: bytes, others: Sequence[Finding] = ()) -> str:
    """The finding's line with its secret, and every other secret found on that line, redacted:
    an audit screen is shared and recorded like any other."""
    start = data.rfind(b"\n", 0, finding.offset) + 1
    end = data.find(b"\n", finding.offset)
    end = len(data) if end == -1 else end
    if finding.end_line != finding.line:
        end = finding.offset  # a multi-line secret: nothing after its start is shown
    spans = sorted({(max(f.offset, start), min(f.end_offset, end), f.redacted)
                    for f in (finding, *others) if f.offset < end and f.end_offset > start}
                   | {(finding.offset, min(finding.end_offset, end), finding.redacted)})
    parts = []
    cursor = start
    for span_start, span_end, redacted in spans:
        if span_start < cursor:  # overlapping findings: the first one's mask covers it
            cursor = max(cursor, span_end)
            continue
        parts += [decode(data[cursor:span_start]), redacted]
        cursor = span_end
    parts.append(decode(data[cursor:end]))
    return printable_path("".join(parts).strip())


def audit_interactively(path: Path, config: Config, root: Path, ask_all: bool = False) -> int:
    if not sys.stdin.isatty():
        raise FatalError("baseline audit asks questions in a terminal; use --report for a summary")
    from secretshift.scanner.build import build_engine

    baseline = load_baseline(path, config.hash_key)
    todo = [e for e in baseline.entries if ask_all or e.is_secret is None]
    if not todo:
        print(f"secretshift: nothing to label in {path}")
        return EXIT_CLEAN
    engine = build_engine(config)
    labels: dict[tuple[str, str], bool] = {}
    for number, entry in enumerate(todo, 1):
        located = _locate(entry, root, engine)
        print(f"\n[{number}/{len(todo)}] {printable_path(entry.filename)}:{entry.line_number or '?'}  {entry.type}")
        if located is None:
            print("    (not found in the file any more: `secretshift baseline update` drops it)")
            continue
        finding, data, in_file = located
        print(f"    {finding.rule}  {finding.redacted}")
        print(f"    {finding.line:>5} | {_masked_line(finding, data, in_file)}")
        answer = _ask("Real secret? [y]es / [n]o, a false positive / [s]kip / [q]uit: ")
        if answer == "q":
            break
        if answer in ("y", "n"):
            labels[entry.identity] = answer == "y"
            _save(path, baseline, labels)
    print(f"secretshift: {len(labels)} entries labelled in {path}")
    return EXIT_CLEAN


def _ask(prompt: str) -> str:
    while True:
        try:
            answer = input(prompt).strip().lower()[:1]
        except EOFError:
            return "q"
        if answer in ("y", "n", "s", "q"):
            return answer


def _save(path: Path, baseline: Baseline, labels: dict[tuple[str, str], bool]) -> None:
    # After every answer, so an interrupted audit loses nothing.
    entries = [e._replace(is_secret=labels[e.identity]) if e.identity in labels else e for e in baseline.entries]
    write_baseline(path, baseline.with_entries(entries))
