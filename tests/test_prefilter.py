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


@pytest.mark.skipif(hyperscan_module() is None, reason="hyperscan is not installed on this platform")
def test_every_builtin_keyword_agrees_on_real_files() -> None:
    """The RE2 back end (the commit hook's) looks up which keywords a match starts with lazily:
    on the full keyword set, many of them prefixes of others, it must still report every hit."""
    from pathlib import Path

    from secretshift.config import Config
    from secretshift.scanner.build import build_engine

    keywords = build_engine(Config()).prefilter.keywords
    root = Path(__file__).parent.parent
    files = [p for folder in (root / "tests" / "corpus", root / "plugins") for p in sorted(folder.rglob("*.*"))]
    text = b"\n".join(p.read_bytes() for p in files if p.is_file())[:4_000_000]
    fast = sorted(Prefilter(keywords).scan(text))
    slow = sorted(Prefilter(keywords, use_hyperscan=False).scan(text))
    assert len(fast) > 1000 and fast == slow
