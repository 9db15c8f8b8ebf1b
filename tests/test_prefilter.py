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


# -- keywords that only count at the start of a word ----------------------------------------------
WORDY = ["cio", "alchemy", "token"]
WORDY_TEXT = (
    b"precision = 3\nimport sqlalchemy\nCIO_TOKEN=cio1234\n"  # inside words, then at word starts
    b"alchemy_key: x\n(alchemy)\n\xc3\xa9cio\nmytoken cio"
)


@pytest.mark.parametrize("use_hyperscan", [False, True])
def test_word_start_keywords_are_not_hit_inside_words(use_hyperscan: bool) -> None:
    if use_hyperscan and hyperscan_module() is None:
        pytest.skip("hyperscan is not installed on this platform")
    hits = Prefilter(WORDY, use_hyperscan=use_hyperscan, word_start={0, 1}).scan(WORDY_TEXT)
    found = sorted((WORDY[i], WORDY_TEXT[end - len(WORDY[i]) - 1 : end].lower()) for i, end in hits)
    assert found == sorted([
        ("cio", b"\ncio"), ("cio", b"=cio"), ("cio", b"\xa9cio"), ("cio", b" cio"),  # a UTF-8 byte ends no word
        ("alchemy", b"\nalchemy"), ("alchemy", b"(alchemy"),
        ("token", b"_token"), ("token", b"ytoken"),  # not word-start: found anywhere
    ])
    assert Prefilter(WORDY, use_hyperscan=use_hyperscan, word_start={0}).scan(b"cio at the start")[0] == (0, 3)


@pytest.mark.parametrize(
    ("regex", "keywords", "expected"),
    [
        (r"(?:^|[^0-9A-Za-z])(?P<secret>cio[0-9A-Za-z]{32})(?:[^0-9A-Za-z]|$)", ["cio"], ("cio",)),
        (r"(?:^|[^0-9A-Za-z_-])(?P<secret>t1\.[A-Z0-9a-z_-]+)", ["t1."], ("t1.",)),
        (r"(?:^|[^0-9A-Za-z])(?i:alchemy)[\w.-]{0,30}=", ["alchemy"], ("alchemy",)),
        (r"(?i:alchemy)[\w.-]{0,30}=", ["alchemy"], ()),  # no boundary before it
        (r"(?:^|[^A-Za-z])(?P<secret>tok[0-9]{8})", ["tok"], ()),  # a digit may precede: not a word start
        (r"(?:^|[^0-9A-Za-z])(?P<secret>(?:sk|rk)_live_[0-9a-z]{24})", ["sk_live_"], ()),
        (r"(?:^|[^0-9A-Za-z])(?P<secret>ghp_[0-9a-z]{36})|x_ghp_[0-9]+", ["ghp_"], ()),  # another way in
        (r"(?:^|[^0-9A-Za-z])(?P<secret>gh?p_[0-9a-z]{36})", ["ghp_"], ()),  # only `g` is certain
    ],
)
def test_which_keywords_are_word_starts(regex: str, keywords: list[str], expected: tuple[str, ...]) -> None:
    from secretshift.scanner.rules import word_start_keywords

    assert word_start_keywords(regex, keywords) == expected


def test_every_builtin_rule_still_finds_its_positives_with_word_starts() -> None:
    # The built-in packs' own examples, through the hyperscan-or-RE2 engine and the RE2 one.
    from secretshift.config import Config
    from secretshift.models import Blob
    from secretshift.scanner.build import build_engine
    from secretshift.scanner.rules import builtin_rules

    rules = [r for r in builtin_rules(examples=True) if r.word_start]
    assert len(rules) >= 100  # most provider tokens start a word
    for small in (False, True):
        engine = build_engine(Config(), small=small)
        for rule in rules:
            for example in rule.positives:
                found = {f.rule for f in engine.scan(Blob(example.path, example.text.encode()))}
                assert found, (rule.id, small)


def test_word_starts_are_lowercase_as_the_prefilter_keywords() -> None:
    from secretshift.scanner.rules import word_start_keywords

    regex = r"(?:^|[^0-9A-Za-z_.-])(?P<secret>b\.AAAAAQ[0-9A-Za-z_-]{130,300})"
    assert word_start_keywords(regex, ["b.AAAAAQ"]) == ("b.aaaaaq",)
    assert word_start_keywords(r"(?:^|[^0-9A-Za-z])oauth:(?P<secret>[a-z0-9]{30})", ["oauth:"]) == ("oauth:",)
