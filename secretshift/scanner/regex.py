"""Linear-time regular expressions (RE2) for everything that reads untrusted input.

RE2 guarantees time linear in the input: a hostile file in a pull request cannot make a rule
backtrack catastrophically. Back-references and look-arounds are therefore not available.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from secretshift.errors import FatalError


@lru_cache(maxsize=None)
def _re2() -> tuple[Any, Any]:
    """The re2 module and our options, on the first compile: a commit whose changes hit no rule
    (only the detectors' keywords) never loads RE2's C++ library (~3 ms of the hook)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    return re2, options


class LinearRegex:
    """A compiled bytes pattern, with named groups resolved to indexes."""

    __slots__ = ("pattern", "_compiled", "group_names")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled
        self.group_names: dict[str, int] = {
            (k.decode() if isinstance(k, bytes) else k): v for k, v in compiled.groupindex.items()
        }

    def finditer(self, data: bytes, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        # Unlike Python's `re`, `$` does not match at `endpos` (nor `^` at `pos`): RE2 anchors
        # them to the whole buffer. Slice the data to scan a line-bounded window.
        if endpos is None:
            endpos = len(data)
        return self._compiled.finditer(data, pos, endpos)  # type: ignore[no-any-return]

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> Any:
        if endpos is None:
            endpos = len(data)
        return self._compiled.search(data, pos, endpos)


@lru_cache(maxsize=None)
def compile_linear(pattern: str, where: str = "pattern") -> LinearRegex:
    re2, options = _re2()
    try:
        compiled = re2.compile(pattern.encode("utf-8"), options)
    except Exception as exc:  # re2 raises its own error type without a useful message
        raise FatalError(f"{where}: invalid or unsupported regex (RE2 syntax, no backreferences or lookaround): "
                         f"{_reason(exc)}") from None
    return LinearRegex(pattern, compiled)


def compile_text(pattern: str, where: str = "pattern") -> Any:
    """A str pattern (for secrets and paths already decoded)."""
    re2, options = _re2()
    try:
        return re2.compile(pattern, options)
    except Exception as exc:
        raise FatalError(f"{where}: invalid or unsupported regex: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """re2's message as text (it carries bytes: ``b'missing ]: ['``)."""
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def python_regex_parser() -> tuple[Any, Any]:
    """Python's own regex parser and its constants (``re._parser``/``re._constants``; named
    ``sre_parse``/``sre_constants`` on 3.10): to read a rule's structure, never to match."""
    if sys.version_info >= (3, 11):
        import re._constants as constants  # type: ignore[import-not-found]
        import re._parser as parser  # type: ignore[import-not-found]
    else:  # pragma: no cover - exercised on 3.10 only
        import sre_constants as constants
        import sre_parse as parser
    return parser, constants
