"""One pass per blob over every rule's keywords, case-insensitively.

Hyperscan (SIMD, linear time) does the pass where it is installed; elsewhere a single RE2
alternation of the escaped keywords does the same job, a little slower. Both report, for each
keyword occurrence, the keyword's index and the byte offset just past it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_hs: Any
try:  # pragma: no cover - which branch runs depends on the platform
    import hyperscan as _hs
except ImportError:  # pragma: no cover
    _hs = None


class Prefilter:
    def __init__(self, keywords: Sequence[str], use_hyperscan: bool = True) -> None:
        self.keywords = [k.lower() for k in keywords]
        self._hits: list[tuple[int, int]] = []
        self._db: Any = None
        self._scratch: Any = None
        self._fallback: Any = None
        self._prefixes: dict[bytes, list[tuple[int, int]]] = {}
        if not self.keywords:
            return
        if _hs is not None and use_hyperscan:
            self._db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            self._db.compile(
                expressions=[_hs_literal(k) for k in self.keywords],
                ids=list(range(len(self.keywords))),
                elements=len(self.keywords),
                flags=[_hs.HS_FLAG_CASELESS] * len(self.keywords),
            )
            self._scratch = _hs.Scratch(self._db)
        else:
            from secretshift.regex import compile_linear

            # Longest first, so that at any position the longest keyword matches and every
            # keyword that is a prefix of it is reported with it.
            encoded = [k.encode("utf-8") for k in self.keywords]
            self._prefixes = {
                word: [(i, len(other)) for i, other in enumerate(encoded) if word.startswith(other)]
                for word in encoded
            }
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
            for index, length in self._prefixes[match.group(0).lower()]:
                out.append((index, start + length))
            pos = start + 1


def _hs_literal(keyword: str) -> bytes:
    # Hyperscan takes PCRE syntax; escape every non-alphanumeric byte.
    return b"".join(
        bytes([c]) if chr(c).isalnum() else b"\\x%02x" % c for c in keyword.encode("utf-8")
    )
