"""ReDoS: every rule, on input built to hurt it, scans in time linear in the input.

For each rule in the registry at test time (every pack, every Python detector), inputs are
derived from the rule itself: its regex's structure with every repetition stretched and the end
cut off (a near miss), runs of each of its character classes after a keyword, its keywords over
and over, its first positive example cut by one character, and that example behind a 500-char
identifier. Each is scanned by an engine holding only that rule (pack rules) or the full engine
(detectors), at two sizes (S and 4S), and must be
- linear: the 4S scan takes at most 8x the S scan (quadratic would be 16x), and
- within budget: per MB, at most BUDGET times the scan of 1 MB of ordinary source code measured
  in the same run. Keyword-dense input costs Python work per hit that ordinary code never
  triggers (the ordinary scan is one Hyperscan pass, ~1 ms/MB), hence the large multiple;
  catastrophic backtracking would be orders of magnitude over it.
S is 16 KB by default, where the keyword-flood variants that only exercise the engine's per-hit
work (the same for every rule) are left out; with SECRETSHIFT_SLOW_TESTS=1, S is 256 KB (so 4S
= 1 MB) and every variant runs.

Times are CPU time of this process (not wall time): on a machine shared with other test runs, a
scan that waits for a core is not a slow scan. Each verdict takes the best of several runs, and
a failing case is measured again, more carefully, before it is blamed.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import re._constants as sre  # type: ignore[import-not-found]
    import re._parser as sre_parse  # type: ignore[import-not-found]
else:  # pragma: no cover - Python 3.10 names (deprecated aliases from 3.11 on)
    import sre_constants as sre
    import sre_parse

from secretshift.config import Config
from secretshift.scanner.detector import Detector
from secretshift.scanner.engine import Engine
from secretshift.models import Blob, Rule
from secretshift.plugins import detector_factories
from secretshift.scanner.rules import builtin_rules
from secretshift.scanner.build import build_engine

SLOW = bool(os.environ.get("SECRETSHIFT_SLOW_TESTS"))
SIZE = (256 if SLOW else 16) * 1024
BUDGET = 20_000.0  # per MB, times the ordinary-code scan of 1 MB
LINEAR = 8.0  # max ratio of the 4S scan to the S scan
SLACK = 0.1  # CPU seconds, for cache and frequency noise on small inputs (8 agents share 2 cores)
FULL = build_engine(Config())


def _ordinary_code() -> bytes:
    root = Path(__file__).resolve().parent.parent / "secretshift"
    text = b"\n".join(p.read_bytes() for p in sorted(root.rglob("*.py")))
    return (text * ((1 << 20) // len(text) + 1))[: 1 << 20]


def _best_time(engine: Engine, data: bytes, path: str = "input.txt", runs: int = 3) -> float:
    """The least CPU time of ``runs`` scans (the scheduler's waits are not the scan's cost)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        engine.scan(Blob(path, data))
        best = min(best, time.process_time() - start)
    return best


@pytest.fixture(scope="module")
def baseline() -> float:
    return _best_time(FULL, _ordinary_code(), "ordinary.py", runs=5)


# -- building adversarial inputs from a regex ------------------------------------------------------
def _class_chars(items: list[tuple[Any, Any]]) -> str:
    """A few characters matched by a character class (or, when negated, not excluded by it)."""
    negated = any(op is sre.NEGATE for op, _ in items)
    members: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            members.append(chr(av))
        elif op is sre.RANGE:
            members += [chr(av[0]), chr((av[0] + av[1]) // 2), chr(av[1])]
        elif op is sre.CATEGORY:
            members += {"DIGIT": "07", "SPACE": " \t", "WORD": "aZ_9"}.get(str(av).split("_")[-1], "a")
    if negated:
        return "".join(c for c in " \t:=\"'x-,;" if c not in members) or "\x01"
    return "".join(members) or "a"


def _sample(items: Any, stretch: int) -> str:
    """A string following the regex's structure, every repetition run long."""
    out = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append("x" if av != ord("x") else "y")
        elif op is sre.IN:
            out.append(_class_chars(av)[0])
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.CATEGORY:
            out.append(_class_chars([(op, av)])[0])
        elif op is sre.SUBPATTERN:
            out.append(_sample(av[-1], stretch))
        elif op is sre.BRANCH:
            out.append(_sample(av[1][0], stretch))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            count = stretch if high is sre.MAXREPEAT else min(high, max(low, stretch))
            out.append(_sample(sub, stretch) * count)
    return "".join(out)


def _classes(items: Any) -> Iterator[str]:
    for op, av in items:
        if op is sre.IN:
            yield _class_chars(av)
        elif op is sre.CATEGORY:
            yield _class_chars([(op, av)])
        elif op is sre.SUBPATTERN:
            yield from _classes(av[-1])
        elif op is sre.BRANCH:
            for branch in av[1]:
                yield from _classes(branch)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            yield from _classes(av[2])


def _fill(unit: str, newline: bool = False) -> bytes:
    """``unit`` repeated to 4S bytes (the S input is its first quarter)."""
    size = 4 * SIZE
    unit_bytes = (unit + ("\n" if newline else " ")).encode("utf-8", "surrogatepass")
    return (unit_bytes * (size // max(1, len(unit_bytes)) + 1))[:size]


def adversarial_inputs(regex: str, keywords: tuple[str, ...], examples: list[str]) -> dict[str, bytes]:
    inputs: dict[str, bytes] = {}
    tree = sre_parse.parse(regex) if regex else None
    if tree is not None:
        for stretch in (64, 4096):
            sample = _sample(tree, stretch)
            inputs[f"near-miss-structure-{stretch}"] = _fill(sample[:-3] if len(sample) > 3 else sample)
        for i, chars in enumerate(sorted(set(_classes(tree)))):
            run = (chars * (SIZE // len(chars) + 1))[:SIZE]
            inputs[f"run-class{i}-after-keyword"] = _fill(keywords[0] + run)
    inputs["keywords-only"] = _fill(" ".join(keywords))
    if examples:
        inputs["example-cut-one-line"] = _fill(examples[0][:-1])
    if SLOW:
        inputs["keywords-glued"] = _fill("".join(keywords) * 4)
        if examples:
            inputs["example-long-key-prefix"] = _fill("k" * 500 + " = " + examples[0][-200:], newline=True)
    return inputs


# -- the registry at test time ----------------------------------------------------------------------
def _rule_cases() -> list[tuple[str, Engine, dict[str, bytes]]]:
    cases = []
    for rule in builtin_rules():
        examples = [e.text for e in rule.positives]
        cases.append((rule.id, Engine([rule]), adversarial_inputs(rule.regex, rule.keywords, examples)))
    return cases


def _detector_cases() -> list[tuple[str, Engine, dict[str, bytes]]]:
    cases = []
    for name, factory in detector_factories().items():
        detector: Detector = factory()
        for rule in detector.rules:
            examples = [e.text for e in rule.positives]
            keywords = tuple(detector.keywords) or rule.keywords
            cases.append((f"{name}:{rule.id}", FULL, adversarial_inputs(rule.regex, keywords, examples)))
    return cases


CASES = _rule_cases() + _detector_cases()


def test_every_rule_has_adversarial_inputs() -> None:
    assert CASES and all(inputs for _, _, inputs in CASES)


def _violations(engine: Any, inputs: dict[str, bytes], baseline: float, slack: float = SLACK) -> dict[str, list[str]]:
    per_mb_limit = BUDGET * baseline + slack
    failures = {}
    for label, data in inputs.items():
        for attempt in range(3):  # measure again, more carefully, before blaming the rule
            small = _best_time(engine, data[: len(data) // 4], runs=1 + 2 * attempt)
            large = _best_time(engine, data, runs=1 + 2 * attempt)
            per_mb = large * (1 << 20) / len(data)
            problem = []
            if large > LINEAR * small + slack:
                problem.append(f"4x input took {large / max(small, 1e-9):.1f}x longer")
            if per_mb > per_mb_limit:
                problem.append(f"{per_mb:.2f}s/MB > {per_mb_limit:.2f}s/MB")
            if not problem:
                break
        else:
            failures[label] = problem
    return failures


@pytest.mark.parametrize(("name", "engine", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_rule_is_linear_on_adversarial_input(name: str, engine: Engine, inputs: dict[str, bytes], baseline: float) -> None:
    failures = _violations(engine, inputs, baseline)
    assert not failures, f"{name} (ordinary code: {baseline * 1000:.1f} ms/MB): {failures}"


class _QuadraticEngine:
    """Re-reads everything before each hit, like the per-finding line re-reads this suite caught."""

    def scan(self, blob: Blob) -> list[object]:
        data = blob.data
        total = 0
        for hit in range(0, len(data), 64):
            total += data.count(b"x", 0, hit)
        return []


def test_the_checker_catches_a_quadratic_scan(baseline: float) -> None:
    inputs = {"filler": b"x" * (128 * 1024)}  # fixed size: quadratic at 1 MB would take minutes
    # No slack: the scan is tiny, and only its growth (16x for 4x the input) is under test.
    assert "filler" in _violations(_QuadraticEngine(), inputs, baseline, slack=0.0)
