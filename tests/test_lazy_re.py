"""Lazily compiled patterns (secretshift.lazy_re): every one in the scan path compiles, and the
stand-in behaves as the compiled pattern does."""
from __future__ import annotations

import importlib
import re

import pytest

from secretshift import lazy_re
from secretshift.lazy_re import _Lazy
from tests.test_layers import modules


def _lazy_patterns() -> list[tuple[str, str, _Lazy]]:
    found = []
    for name, _path in modules():
        if name.endswith("__main__"):
            continue  # running it is its import
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, _Lazy):
                found.append((name, attribute, value))
    return found


LAZY = _lazy_patterns()


def test_the_scan_path_uses_lazy_patterns() -> None:
    assert len(LAZY) >= 60  # the detectors' and filters' module-level patterns


@pytest.mark.parametrize(("module", "attribute", "pattern"), LAZY, ids=[f"{m}.{a}" for m, a, _ in LAZY])
def test_every_lazy_pattern_compiles(module: str, attribute: str, pattern: _Lazy) -> None:
    compiled = re.compile(pattern.pattern, pattern.flags)
    empty = b"" if isinstance(pattern.pattern, bytes) else ""
    pattern.search(empty)  # compiles the stand-in
    assert pattern.groupindex == compiled.groupindex and pattern.groups == compiled.groups


def test_a_lazy_pattern_acts_as_the_compiled_one() -> None:
    text = "user=alice token=t0k3n user=bob"
    lazy = lazy_re.compile(r"(?P<key>\w+)=(?P<value>\w+)", re.ASCII)
    eager = re.compile(r"(?P<key>\w+)=(?P<value>\w+)", re.ASCII)
    assert lazy.pattern == eager.pattern and "search" not in vars(lazy)  # not compiled yet
    assert [m.groupdict() for m in lazy.finditer(text)] == [m.groupdict() for m in eager.finditer(text)]
    assert "search" in vars(lazy)  # bound after the first use: no lookup cost afterwards
    assert lazy.sub(r"\g<key>=***", text) == eager.sub(r"\g<key>=***", text)
    assert lazy.flags == eager.flags and lazy.fullmatch("a=b") is not None
    with pytest.raises(re.error):
        lazy_re.compile("(unclosed").search("x")
