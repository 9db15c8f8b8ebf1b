"""What name a value is assigned to, read from the text just before it on its line."""
from __future__ import annotations

from functools import cache
from typing import Any

from secretshift import lazy_re
from secretshift.scanner.regex import compile_text

# RE2 (linear time), because the text before a value comes from untrusted files: with a
# backtracking engine a 512-character identifier run cost ~2 ms per finding. RE2 has no
# verbose mode or look-around, and its `\w`/`\s` are ASCII, hence the spelled-out classes.
_W = r"\p{L}\p{N}_"  # Python's Unicode `\w`
_S = r"[\s\p{Z}]"  # Python's Unicode `\s`
_MAX_KEY = 128
# `NAME = "`, `NAME: `, `"name": "`, `name := "`, `name => '`, `--name=`, `<name>`, `set NAME=`:
# an optional quote or `]` after the name, an assignment operator (or a space before a quote),
# maybe a wrapping call such as `Secret(`, maybe an opening quote or bracket, then the value.
_ASSIGNMENT = (
    rf"""(?:^|[^{_W}.\-])["'`]?(?P<key>[A-Za-z_@$][{_W}.\-]*?)["'`]?\]?"""
    rf"""(?:\s*(?::=|=>|==|=|:|<-)\s*(?:[{_W}.]+\()?(?:\[|\{{|["'`])?|\s*\s["'])\s*$""".replace(r"\s", _S)
)
_XML_ELEMENT = rf"<(?P<key>[A-Za-z_][{_W}.\-:]*)(?:\s[^<>]*)?>\s*$".replace(r"\s", _S)
_XML_ATTRIBUTE = rf"""(?P<key>[A-Za-z_][{_W}.\-:]*)\s*=\s*["']$""".replace(r"\s", _S)
_MAX_PREFIX = 512


@cache
def _patterns() -> tuple[Any, ...]:
    # Compiled on first use: a commit with no finding never needs them (RE2 compiles Unicode
    # classes slowly; this saves the commit hook a few ms).
    return tuple(compile_text(p) for p in (_ASSIGNMENT, _XML_ELEMENT, _XML_ATTRIBUTE))


def infer_key(prefix: str) -> str | None:
    """The key a value is assigned to, given the text of its line before the value."""
    prefix = prefix[-_MAX_PREFIX:]
    for pattern in _patterns():
        match = pattern.search(prefix)
        if not match:
            continue
        key: str = match.group("key")
        if len(key) > _MAX_KEY:
            continue  # a name this long is no identifier anyone assigns to
        key = key.lstrip("$@")
        if key and not key.isdigit():
            return key
    return None


_SPLIT = lazy_re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def key_words(key: str) -> list[str]:
    """`dbPassword`, `DB_PASSWORD`, `db-password` and `db.password` all give ["db", "password"]."""
    return [w.lower() for w in _SPLIT.split(key) if w]
