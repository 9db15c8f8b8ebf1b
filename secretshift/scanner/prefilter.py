"""One pass per blob over every rule's keywords, case-insensitively.

Hyperscan (SIMD, linear time) does the pass where it is installed; elsewhere a single RE2
alternation of the escaped keywords does the same job, a little slower. Both report, for each
keyword occurrence, the keyword's index and the byte offset just past it.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

_hs: Any = None
_hs_looked = False


def hyperscan_module() -> Any:
    """The hyperscan module, or None where it is not installed. Imported on first use: the
    import alone costs a small scan (the commit hook, RE2 prefilter) more than its whole pass."""
    global _hs, _hs_looked
    if not _hs_looked:
        _hs_looked = True
        module: Any = None
        try:
            import hyperscan as module
        except ImportError:  # pragma: no cover - which branch runs depends on the platform
            pass
        _hs = module
    return _hs


# Bytes that continue a word: a word-start keyword right after one of them is no hit (and what a
# rule's leading boundary must refuse for its keywords to be word starts: rules.word_start_keywords).
WORD_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Prefilter:
    def __init__(self, keywords: Sequence[str], use_hyperscan: bool = True,
                 word_start: Collection[int] = frozenset()) -> None:
        """``word_start``: indexes of keywords reported only at the start of a word (the buffer's
        start, or after a byte that is not a letter or digit)."""
        self.keywords = [k.lower() for k in keywords]
        self._word_start = frozenset(word_start)
        self._hits: list[tuple[int, int]] = []
        self._db: Any = None
        self._scratch: Any = None
        self._fallback: Any = None
        self._prefixes: dict[bytes, list[tuple[int, int]]] = {}
        self._index: dict[bytes, int] = {}
        self._lengths: list[int] = []
        if not self.keywords:
            return
        hs = hyperscan_module() if use_hyperscan else None
        if hs is not None:
            self._db = _hyperscan_database(hs, self.keywords, self._word_start)
            self._scratch = hs.Scratch(self._db)
        else:
            from secretshift.scanner.regex import compile_linear

            # Longest first, so that at any position the longest keyword matches and every
            # keyword that is a prefix of it is reported with it (looked up per matched word, on
            # first use: all pairs up front cost the commit hook ~25 ms of its ~100).
            self._index = {k.encode("utf-8"): i for i, k in enumerate(self.keywords)}
            self._lengths = sorted({len(k) for k in self._index})
            ordered = sorted(self.keywords, key=len, reverse=True)
            alternation = "|".join(re.escape(k) for k in ordered)
            self._fallback = compile_linear(f"(?i){alternation}")

    @property
    def engine(self) -> str:
        return "hyperscan" if self._db is not None else "re2"

    def scan(self, data: bytes) -> list[tuple[int, int]]:
        """``(keyword index, end offset)`` for every occurrence, in offset order."""
        if not self.keywords or not data:
            return []
        if self._db is not None:
            hits: list[tuple[int, int]] = []
            append = hits.append

            def on_match(ident: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
                append((ident, to))

            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
            return hits
        # Search again from one past each match start, so overlapping keywords are all found
        # (finditer would skip "secret" inside "aws_secret").
        out: list[tuple[int, int]] = []
        search = self._fallback.search
        pos = 0
        while True:
            match = search(data, pos)
            if match is None:
                return out
            start = match.start()
            inside_word = start > 0 and data[start - 1] in WORD_BYTES
            for index, length in self._keywords_prefixing(match.group(0).lower()):
                if inside_word and index in self._word_start:
                    continue
                out.append((index, start + length))
            pos = start + 1


    def _keywords_prefixing(self, word: bytes) -> list[tuple[int, int]]:
        """``(keyword index, length)`` of every keyword ``word`` starts with (itself included)."""
        found = self._prefixes.get(word)
        if found is None:
            index = self._index
            found = [(index[word[:n]], n) for n in self._lengths if n <= len(word) and word[:n] in index]
            self._prefixes[word] = found
        return found


def _hyperscan_database(hs: Any, keywords: list[str], word_start: frozenset[int]) -> Any:
    """The compiled keyword database, from the cache when these keywords were compiled before.
    A database from another hyperscan build or CPU fails to load and is compiled afresh."""
    from secretshift.scanner import cache

    marked = [("^" if index in word_start else "") + k for index, k in enumerate(keywords)]
    key = cache.key_of("hyperscan caseless literals", str(getattr(hs, "__version__", "")), *marked)
    cached = cache.load("prefilter", key)
    if cached is not None:
        try:
            return hs.loadb(bytes(cached), hs.HS_MODE_BLOCK)  # bytes: loadb refuses a bytearray
        except Exception:  # hyperscan raises its own error types for foreign databases
            pass
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(
        # A match's end is the keyword's end either way: the boundary byte is only looked at.
        expressions=[(_WORD_START if index in word_start else b"") + _hs_literal(k) for index, k in enumerate(keywords)],
        ids=list(range(len(keywords))),
        elements=len(keywords),
        flags=[hs.HS_FLAG_CASELESS] * len(keywords),
    )
    try:
        cache.store("prefilter", key, bytes(hs.dumpb(db)))
    except Exception:  # serialising is an optimisation only
        pass
    return db


_WORD_START = b"(?:^|[^0-9A-Za-z])"  # Hyperscan's spelling of "not after a WORD_BYTES byte"


def _hs_literal(keyword: str) -> bytes:
    # Hyperscan takes PCRE syntax; escape every non-alphanumeric byte.
    return b"".join(
        bytes([c]) if chr(c).isalnum() else b"\\x%02x" % c for c in keyword.encode("utf-8")
    )
