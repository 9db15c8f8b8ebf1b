"""Property-based fuzzing (hypothesis) of the engine, the structured parsers and the rewriters.

Example counts are bounded and the search is derandomized, so CI runs are repeatable and quick;
set SECRETSHIFT_FUZZ_EXAMPLES to search longer locally.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretshift.config import Config
from secretshift.models import Blob, Example, Rule
from secretshift.scanner.rules import builtin_rules, detector_rules
from secretshift.scanner.build import build_engine
from secretshift.textutil import decode, normalise_encoding

ENGINE = build_engine(Config())
EXAMPLES = int(os.environ.get("SECRETSHIFT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

paths = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from([".env", "a.yaml", "b.json", "c.py", "Dockerfile", "x.tf", "k8s/secret.yaml", "a.min.js"]),
)
# Bytes biased towards what rules look at: keywords, token alphabets, separators, odd encodings.
_FRAGMENTS = sorted({k for r in ENGINE.rules for k in r.keywords}) + [
    "=", ":", '"', "'", "\n", "\r\n", " ", "\t", "{", "}", "[", "]", "-----BEGIN ", "PRIVATE KEY-----",
    "-----END ", "secretshift: allow", "# pragma: allowlist nextline secret\n", "\x00", "\ufeff", "é",
]
fragments = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=20), st.binary(max_size=20).map(lambda b: b.decode("latin-1"))),
    max_size=40,
).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))
blobs = st.one_of(st.binary(max_size=2048), fragments)


@FUZZ
@given(data=blobs, path=paths)
def test_scan_never_raises_and_positions_are_consistent(data: bytes, path: str) -> None:
    findings = ENGINE.scan(Blob(path, data))
    scanned = normalise_encoding(data)
    for finding in findings:
        assert 0 <= finding.offset < finding.end_offset <= len(scanned)
        assert finding.line == scanned.count(b"\n", 0, finding.offset) + 1
        assert finding.end_line == scanned.count(b"\n", 0, finding.end_offset) + 1
        assert finding.column >= 1 and finding.end_column >= 1
        assert finding.secret.reveal() not in repr(finding)
        if finding.context_value("encoding") is None and finding.rule in _PACK_RULE_IDS:
            assert decode(scanned[finding.offset : finding.end_offset]) == finding.secret.reveal()


_PACK_RULE_IDS = {r.id for r in builtin_rules()}


def _planted_cases() -> list[tuple[Rule, Example, str]]:
    """(rule, example, its secret): each rule's first positive example whose secret is known.
    One per rule: with 500+ rules, every example would be ~1,000 parametrized hypothesis tests,
    past what hypothesis' settings chain survives (RecursionError), for little more coverage."""
    cases = []
    for rule in [*builtin_rules(), *detector_rules()]:
        for example in rule.positives:
            found = [f for f in ENGINE.scan(Blob(example.path, example.text.encode())) if f.rule == rule.id]
            secret = example.secret or (found[0].secret.reveal() if len(found) == 1 else None)
            if secret is not None:
                cases.append((rule, example, secret))
                break
    return cases


PLANTED = _planted_cases()
# Random lines around the planted one: printable text, never an allow marker.
noise_line = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\u2028\u2029\x85"), max_size=80
).filter(lambda s: "allow" not in s.lower())
noise = st.lists(noise_line, max_size=8)
blank = st.lists(st.sampled_from(["", " ", "\t"]), max_size=4)


# Split one budget over all examples, so that the suite stays quick as rule packs grow.
PLANT = settings(FUZZ, max_examples=max(3, 4 * EXAMPLES // max(1, len(PLANTED))))


@pytest.mark.parametrize(
    ("rule", "example", "secret"), PLANTED, ids=[f"{r.id}#{i}" for i, (r, _, _) in enumerate(PLANTED)]
)
@PLANT
@given(data=st.data())
def test_planted_secret_is_found_anywhere(rule: Rule, example: Example, secret: str, data: st.DataObject) -> None:
    # Pack rules see arbitrary lines around the example; a structured detector needs the file to
    # stay well-formed, so it gets only blank lines around it.
    structured = rule.id not in _PACK_RULE_IDS
    before = data.draw(blank if structured else noise)
    after = data.draw(blank if structured else noise)
    newline = data.draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join([*before, example.text, *after])
    findings = ENGINE.scan(Blob(example.path, text.encode("utf-8")))
    assert secret in [f.secret.reveal() for f in findings if f.rule == rule.id], text
