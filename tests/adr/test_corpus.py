"""The labelled IaC corpus: every expected violation, nothing on the compliant look-alikes."""
from __future__ import annotations

from collections import Counter

from secretshift.adr.engine import check_paths
from secretshift.adr.model import CHECKS, CLAUSES
from secretshift.adr.settings import load_settings
from tests.adr.labels import CORPUS, Label, corpus_labels


def _found(monkeypatch) -> set[Label]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(CORPUS)
    result = check_paths(["."], load_settings(None, CORPUS))
    assert not result.skipped
    return {Label(v.path, v.line, v.check) for v in result.violations}


def test_corpus_is_big_enough_and_covers_every_clause() -> None:
    expected, compliant = corpus_labels()
    assert len(expected) >= 60 and len(compliant) >= 60
    assert set(Counter(CHECKS[label.check].clause for label in expected)) == set(CLAUSES)
    formats = {label.path.split("/")[0] + (".json" if label.path.endswith(".json") else "") for label in expected}
    assert {"terraform", "cloudformation", "cloudformation.json", "kubernetes", "eksctl", "iam.json", "ecs.json"} <= formats


def test_every_label_and_nothing_else(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    expected, _ = corpus_labels()
    found = _found(monkeypatch)
    assert sorted(found - expected) == [], "false positives"
    assert sorted(expected - found) == [], "missed violations"


def test_compliant_look_alikes_stay_quiet(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, compliant = corpus_labels()
    found = _found(monkeypatch)
    quiet = {(path, line) for path, line, _ in compliant}
    assert not [label for label in found if (label.path, label.line) in quiet]
