"""Every rule's own examples: positives must be found, negatives must not (with a reason)."""
from __future__ import annotations

import pytest

from secretshift.config import Config
from secretshift.scanner.engine import Engine
from secretshift.models import Blob, Example, Rule
from secretshift.scanner.rules import builtin_rules, check_rule, detector_rules, unique
from secretshift.scanner.build import build_engine

RULES = unique([*builtin_rules(), *detector_rules()])
ENGINE = build_engine(Config())


def _cases(kind: str) -> list[tuple[Rule, Example]]:
    return [(rule, ex) for rule in RULES for ex in getattr(rule, kind)]


def _ids(cases: list[tuple[Rule, Example]]) -> list[str]:
    counts: dict[str, int] = {}
    ids = []
    for rule, _ in cases:
        counts[rule.id] = counts.get(rule.id, 0) + 1
        ids.append(f"{rule.id}#{counts[rule.id]}")
    return ids


POSITIVES = _cases("positives")
NEGATIVES = _cases("negatives")


@pytest.mark.parametrize(("rule", "example"), POSITIVES, ids=_ids(POSITIVES))
def test_positive_example_is_found(rule: Rule, example: Example) -> None:
    findings = [f for f in ENGINE.scan(Blob(example.path, example.text.encode())) if f.rule == rule.id]
    assert findings, f"{rule.id} missed its own example"
    if example.secret is not None:
        assert example.secret in [f.secret.reveal() for f in findings]


@pytest.mark.parametrize(("rule", "example"), NEGATIVES, ids=_ids(NEGATIVES))
def test_negative_example_is_not_found(rule: Rule, example: Example) -> None:
    assert example.reason, f"{rule.id}: every negative example must say why it must not match"
    findings = ENGINE.scan(Blob(example.path, example.text.encode()))
    assert [f.rule for f in findings if f.rule == rule.id] == []


@pytest.mark.parametrize("rule", [r for r in RULES if r.regex], ids=lambda r: r.id)
def test_rule_compiles_linear_and_has_examples(rule: Rule) -> None:
    check_rule(rule)
    assert rule.positives and rule.negatives


def test_rule_ids_are_unique_and_kebab_case() -> None:
    for rule in RULES:
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id


def test_engine_prefilter_single_rule_engine_agrees() -> None:
    # A rule alone and a rule among all others must find the same thing (no keyword clash).
    for rule in RULES:
        if not rule.regex:
            continue
        alone = Engine([rule])
        for example in rule.positives:
            assert [f for f in alone.scan(Blob(example.path, example.text.encode())) if f.rule == rule.id]
