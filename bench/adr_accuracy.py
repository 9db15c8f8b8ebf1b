"""`secretshift adr check` and checkov on the labelled IaC corpus (tests/adr/corpus).

    python bench/adr_accuracy.py [--checkov PATH] [--write-results]

Labels are the corpus's own ``# expect:`` / ``# ok:`` markers (tests/adr/labels.py). secretshift
is scored exactly: a violation counts when (path, line, check) matches a label. checkov (installed
in its own venv, e.g. ``python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov``)
is scored on the clauses its checks cover (CHECKOV_CLAUSES below): a failed checkov check is a true
positive when a labelled violation of the same clause lies inside the line range checkov reports
for it (secret-scanner hits: up to 3 lines below a clause-1/7 label, where the value sits).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from secretshift.adr.engine import check_paths  # noqa: E402
from secretshift.adr.model import CHECKS, CLAUSES  # noqa: E402
from secretshift.adr.settings import load_settings  # noqa: E402
from tests.adr.labels import CORPUS, Label, corpus_labels  # noqa: E402

MARK_BEGIN = "<!-- adr-accuracy:begin -->"
MARK_END = "<!-- adr-accuracy:end -->"

# checkov checks that test something an ADR clause asks for (the others, about logging, backups,
# VPCs, probes..., are not about the secrets ADR and are not scored).
CHECKOV_CLAUSES: dict[str, tuple[int, ...]] = {
    "CKV_AWS_45": (1,),    # hard-coded secrets in Lambda environment
    "CKV_AWS_46": (1,),    # hard-coded secrets in EC2 user data
    "CKV2_AWS_34": (1,),   # SSM parameter should be encrypted (SecureString)
    "CKV_AWS_57": (3,),    # secret rotation (older id)
    "CKV2_AWS_57": (3,),   # Secrets Manager secrets should have automatic rotation enabled
    "CKV_AWS_304": (4,),   # rotated within 90 days
    "CKV_AWS_108": (5,),   # IAM data exfiltration (GetSecretValue on *)
    "CKV_AWS_109": (5,), "CKV_AWS_111": (5,), "CKV_AWS_290": (5,), "CKV_AWS_289": (5,),
    "CKV_AWS_355": (5,), "CKV_AWS_356": (5,), "CKV_AWS_287": (5,), "CKV_AWS_288": (5,),
    "CKV_AWS_58": (6,),    # EKS secrets encryption
}
SECRET_SCANNER_CLAUSES = (1, 7)  # CKV_SECRET_*: a literal in code or a committed Secret


@dataclass
class Score:
    tp: int = 0  # reports that match a label (precision's numerator)
    fp: int = 0
    fn: int = 0  # labels no report matched
    found: int = 0  # labels some report matched (recall's numerator; one report may cover two labels)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.fn) if self.found + self.fn else 1.0


def run_secretshift() -> tuple[set[Label], float]:
    settings = load_settings(None, CORPUS)
    start = time.perf_counter()
    import os

    cwd = os.getcwd()
    os.chdir(CORPUS)
    try:
        result = check_paths(["."], settings)
    finally:
        os.chdir(cwd)
    elapsed = time.perf_counter() - start
    return {Label(v.path.removeprefix("./"), v.line, v.check) for v in result.violations}, elapsed


def score_secretshift(expected: set[Label], found: set[Label]) -> dict[int, Score]:
    by_clause: dict[int, Score] = defaultdict(Score)
    for label in found:
        clause = CHECKS[label.check].clause
        if label in expected:
            by_clause[clause].tp += 1
            by_clause[clause].found += 1
        else:
            by_clause[clause].fp += 1
    for label in expected - found:
        by_clause[CHECKS[label.check].clause].fn += 1
    return by_clause


def run_checkov(checkov: str) -> tuple[list[dict[str, object]], float]:
    start = time.perf_counter()
    proc = subprocess.run([checkov, "-d", ".", "-o", "json", "--compact", "--quiet", "--skip-download"],
                          cwd=CORPUS, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    document = json.loads(proc.stdout)
    runs = document if isinstance(document, list) else [document]
    failures = []
    for run in runs:
        for failure in run.get("results", {}).get("failed_checks", []):
            failures.append(failure)
    return failures, elapsed


def score_checkov(expected: set[Label], failures: list[dict[str, object]]) -> dict[int, Score]:
    by_clause: dict[int, Score] = defaultdict(Score)
    covered: set[Label] = set()
    for failure in failures:
        check_id = str(failure["check_id"])
        clauses = SECRET_SCANNER_CLAUSES if check_id.startswith("CKV_SECRET") else CHECKOV_CLAUSES.get(check_id, ())
        if not clauses:
            continue
        path = str(failure["file_path"]).lstrip("/")
        start, end = failure["file_line_range"]  # type: ignore[misc]
        if check_id.startswith("CKV_SECRET"):
            start = start - 3
        hits = {label for label in expected if label.path == path and CHECKS[label.check].clause in clauses
                and start <= label.line <= end}
        clause = CHECKS[next(iter(hits)).check].clause if hits else clauses[0]
        if hits:
            by_clause[clause].tp += 1
            covered |= hits
        else:
            by_clause[clause].fp += 1
    all_covered = {c for cs in CHECKOV_CLAUSES.values() for c in cs} | set(SECRET_SCANNER_CLAUSES)
    for label in expected:
        clause = CHECKS[label.check].clause
        if clause not in all_covered:
            continue
        if label in covered:
            by_clause[clause].found += 1
        else:
            by_clause[clause].fn += 1
    return by_clause


def _cell(score: Score | None) -> str:
    if score is None:
        return "not covered"
    return (f"{score.precision:.2f} / {score.recall:.2f} ({score.tp} of {score.tp + score.fp} reports right, "
            f"{score.found} of {score.found + score.fn} violations found)")


def _total(scores: dict[int, Score]) -> Score:
    total = Score()
    for s in scores.values():
        total.tp += s.tp
        total.fp += s.fp
        total.fn += s.fn
        total.found += s.found
    return total


def table(expected: set[Label], compliant: int, ours: dict[int, Score], peer: dict[int, Score] | None,
          times: tuple[float, float | None]) -> str:
    covered = {c for c in CHECKOV_CLAUSES.values() for c in c} | set(SECRET_SCANNER_CLAUSES)
    rows = ["| clause | labelled violations | secretshift adr precision / recall | checkov precision / recall |",
            "| --- | --- | --- | --- |"]
    for clause, title in CLAUSES.items():
        count = sum(1 for label in expected if CHECKS[label.check].clause == clause)
        peer_cell = "not run" if peer is None else (_cell(peer.get(clause, Score())) if clause in covered else "not covered")
        rows.append(f"| {clause} {title} | {count} | {_cell(ours.get(clause, Score()))} | {peer_cell} |")
    peer_total = "not run" if peer is None else _cell(_total(peer)) + " (covered clauses)"
    rows.append(f"| **all** | {len(expected)} (+{compliant} compliant look-alikes) | {_cell(_total(ours))} | {peer_total} |")
    ours_time, peer_time = times
    rows.append("")
    rows.append(f"Wall time on the corpus: secretshift adr {ours_time:.2f} s (in-process)"
                + (f", checkov {peer_time:.1f} s" if peer_time is not None else "") + ".")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkov", default=str(ROOT / ".venv-checkov" / "bin" / "checkov"))
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    expected, compliant = corpus_labels()
    found, ours_time = run_secretshift()
    ours = score_secretshift(expected, found)
    peer: dict[int, Score] | None = None
    peer_time: float | None = None
    if Path(args.checkov).exists():
        failures, peer_time = run_checkov(args.checkov)
        peer = score_checkov(expected, failures)
    text = table(expected, len(compliant), ours, peer, (ours_time, peer_time))
    print(text)
    for label in sorted(found - expected):
        print(f"  false positive: {label}", file=sys.stderr)
    for label in sorted(expected - found):
        print(f"  missed: {label}", file=sys.stderr)
    if args.write_results:
        results = ROOT / "bench" / "RESULTS.md"
        body = results.read_text(encoding="utf-8")
        block = f"{MARK_BEGIN}\n{text}\n{MARK_END}"
        if MARK_BEGIN in body:
            head, rest = body.split(MARK_BEGIN, 1)
            body = head + block + rest.split(MARK_END, 1)[1]
        else:
            body = body.rstrip("\n") + "\n\n" + block + "\n"
        results.write_text(body, encoding="utf-8")
    total = _total(ours)
    return 0 if total.precision >= 0.95 and total.recall >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
