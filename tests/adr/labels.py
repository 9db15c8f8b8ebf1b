"""Labels of the IaC corpus (tests/adr/corpus), read from the files themselves.

- ``# expect: CHECK [CHECK...]`` on a line: the check reports a violation at that line.
- ``# expect@N: CHECK`` anywhere: a violation at line N (for lines that cannot hold a comment:
  inside a heredoc, a JSON file).
- ``# ok: why`` / ``# ok@N: why``: a compliant look-alike (counted; any report there is a false
  positive, like any report that is not expected).
JSON files carry their labels in ``NAME.json.labels`` (the same markers, one per line).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
_MARK = re.compile(r"#.*?\b(expect|ok)(?:@(\d+))?:\s*(.*)$")


@dataclass(frozen=True, order=True)
class Label:
    path: str  # relative to the corpus, POSIX
    line: int
    check: str


def _marks(path: Path, text: str, rel: str) -> tuple[set[Label], list[tuple[str, int, str]]]:
    expected: set[Label] = set()
    compliant: list[tuple[str, int, str]] = []
    for number, row in enumerate(text.splitlines(), start=1):
        match = _MARK.search(row)
        if not match:
            continue
        kind, at, rest = match.groups()
        line = int(at) if at else number
        if kind == "expect":
            for check in rest.split():
                expected.add(Label(rel, line, check))
        else:
            compliant.append((rel, line, rest.strip()))
    return expected, compliant


def corpus_labels(root: Path = CORPUS) -> tuple[set[Label], list[tuple[str, int, str]]]:
    expected: set[Label] = set()
    compliant: list[tuple[str, int, str]] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".tf", ".yaml", ".yml", ".labels"):
            continue
        rel = path.relative_to(root).as_posix()
        if rel.endswith(".labels"):
            rel = rel[: -len(".labels")]
        found, ok = _marks(path, path.read_text(encoding="utf-8"), rel)
        expected |= found
        compliant += ok
    return expected, compliant
