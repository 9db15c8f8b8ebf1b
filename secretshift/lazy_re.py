"""Regular expressions compiled on first use.

Python's ``re`` compiles in Python: the ~90 module-level patterns of the detectors and filters
cost the commit hook ~7 ms at every start, and a typical commit uses a third of them.
``lazy_re.compile`` returns a stand-in that compiles on its first method call and then binds the
compiled pattern's methods to itself, so later calls cost what a compiled pattern's do.
``pattern`` and ``flags`` are known without compiling (patterns built from other patterns).
"""
from __future__ import annotations

import re
from typing import Any, AnyStr, cast

_BOUND = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "groupindex", "groups")


class _Lazy:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # only called for what is not bound yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for bound in _BOUND:
            setattr(self, bound, getattr(compiled, bound))
        self.flags = compiled.flags
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self.pattern!r})"


def compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:  # noqa: A001 - mirrors re.compile
    """Like :func:`re.compile`, compiled when first used (a bad pattern fails there, so every
    lazy pattern is compiled once by the test suite: tests/test_lazy_re.py)."""
    return cast("re.Pattern[AnyStr]", _Lazy(pattern, flags))
