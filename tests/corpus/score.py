"""Precision/recall of (path, line) predictions against the corpus labels."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    per_kind_recall: dict[str, float] = field(default_factory=dict)
    false_positives: tuple[tuple[str, int], ...] = ()
    false_negatives: tuple[tuple[str, int], ...] = ()

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(predicted: Iterable[tuple[str, int]], positives: list[dict[str, object]]) -> Score:
    """A prediction is a (path relative to the corpus files, 1-based line) pair; duplicates count once."""
    truth = {(str(p["path"]), int(str(p["line"]))): str(p["kind"]) for p in positives}
    found = set(predicted)
    tp = found & truth.keys()
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, kind in truth.items():
        by_kind[kind][1] += 1
        by_kind[kind][0] += key in tp
    return Score(
        tp=len(tp),
        fp=len(found - truth.keys()),
        fn=len(truth.keys() - found),
        per_kind_recall={k: hit / total for k, (hit, total) in sorted(by_kind.items())},
        false_positives=tuple(sorted(found - truth.keys())),
        false_negatives=tuple(sorted(truth.keys() - found)),
    )
