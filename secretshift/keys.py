"""What name a value is assigned to, read from the text just before it on its line."""
from __future__ import annotations

import re

# `NAME = "`, `NAME: `, `"name": "`, `name := "`, `name => '`, `--name=`, `<name>`, `set NAME=`
_ASSIGNMENT = re.compile(
    r"""(?x)
    (?:^|[^\w.\-])
    ["'`]?(?P<key>[A-Za-z_@$][\w.\-]{0,127}?)["'`]?\]?   # the name, maybe quoted or indexed
    \s*(?::=|=>|==|=|:|<-|\s(?=["']))\s*                  # the assignment operator
    (?:[\w.]+\()?                                         # a wrapping call: Secret("...")
    (?:\[|\{|["'`])?                                      # opening quote/bracket of the value
    \s*$
    """
)
_XML_ELEMENT = re.compile(r"<(?P<key>[A-Za-z_][\w.\-:]{0,127})(?:\s[^<>]*)?>\s*$")
_XML_ATTRIBUTE = re.compile(r"""(?P<key>[A-Za-z_][\w.\-:]{0,127})\s*=\s*["']$""")
_MAX_PREFIX = 512


def infer_key(prefix: str) -> str | None:
    """The key a value is assigned to, given the text of its line before the value."""
    prefix = prefix[-_MAX_PREFIX:]
    for pattern in (_ASSIGNMENT, _XML_ELEMENT, _XML_ATTRIBUTE):
        match = pattern.search(prefix)
        if match:
            key = match.group("key").lstrip("$@")
            if key and not key.isdigit():
                return key
    return None


_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def key_words(key: str) -> list[str]:
    """`dbPassword`, `DB_PASSWORD`, `db-password` and `db.password` all give ["db", "password"]."""
    return [w.lower() for w in _SPLIT.split(key) if w]
