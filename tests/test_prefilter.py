"""Both prefilter back ends (Hyperscan, RE2 alternation) report the same keyword hits."""
from __future__ import annotations

import pytest

from secretshift.scanner.prefilter import Prefilter, hyperscan_module

KEYWORDS = ["ghp_", "akia", "-----begin", "password", "pass", "word", "aws_secret", "secret", "a.b", "x+y"]
TEXT = (
    b"GHP_abc akia AKIA -----BEGIN RSA PASSWORD=pass a.b axb x+y\n"
    b"\xff\xfe binary-ish password AWS_SECRET_key\n"
)


def test_re2_fallback_finds_case_insensitive_literals() -> None:
    hits = Prefilter(KEYWORDS, use_hyperscan=False).scan(TEXT)
    found = sorted((KEYWORDS[i], end) for i, end in hits)
    expected = sorted(
        (k, pos + len(k))
        for k in KEYWORDS
        for pos in range(len(TEXT))
        if TEXT[pos : pos + len(k)].lower() == k.encode()
    )
    assert found == expected


@pytest.mark.skipif(hyperscan_module() is None, reason="hyperscan is not installed on this platform")
def test_hyperscan_and_re2_agree() -> None:
    fast = sorted(Prefilter(KEYWORDS).scan(TEXT))
    slow = sorted(Prefilter(KEYWORDS, use_hyperscan=False).scan(TEXT))
    assert fast == slow and fast
    assert Prefilter(KEYWORDS).engine == "hyperscan"


def test_empty_inputs() -> None:
    assert Prefilter([]).scan(TEXT) == []
    assert Prefilter(KEYWORDS).scan(b"") == []
