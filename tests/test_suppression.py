"""Inline suppression: `secretshift: allow` on the line or on a comment line just before it,
and detect-secrets' pragmas."""
from __future__ import annotations

import pytest

from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from tests.fakes import aws_key_id

ENGINE = build_engine(Config())
KEY = aws_key_id(7)

CASES = [
    # (text, suppressed)
    (f'key = "{KEY}"\n', False),
    (f'key = "{KEY}"  # secretshift: allow\n', True),
    (f'key = "{KEY}"  // SecretShift: Allow (test fixture)\n', True),
    (f'key = "{KEY}"  # pragma: allowlist secret\n', True),
    (f'# secretshift: allow\nkey = "{KEY}"\n', True),
    (f'// secretshift: allow\nkey = "{KEY}"\n', True),
    (f'<!-- secretshift: allow -->\n<key>{KEY}</key>\n', True),
    (f'# pragma: allowlist nextline secret\nkey = "{KEY}"\n', True),
    (f'x = "secretshift: allow"\nkey = "{KEY}"\n', False),
    (f'# secretshift: allow\n\nkey = "{KEY}"\n', False),
    (f'# pragma: allowlist secret\nkey = "{KEY}"\n', False),
    (f'key = "{KEY}"\n# secretshift: allow\n', False),
]
IDS = [
    "plain", "trailing-hash", "trailing-slashes-any-case", "detect-secrets-pragma",
    "hash-line-before", "slashes-line-before", "html-comment-before", "detect-secrets-nextline",
    "marker-in-a-string-line-before-does-not-count", "marker-two-lines-up-does-not-count",
    "same-line-pragma-on-line-before-does-not-count", "marker-on-the-line-after-does-not-count",
]


@pytest.mark.parametrize(("text", "suppressed"), CASES, ids=IDS)
def test_inline_suppression(text: str, suppressed: bool) -> None:
    findings = [f for f in ENGINE.scan(Blob("app.py", text.encode())) if f.secret.reveal() == KEY]
    assert (findings == []) is suppressed


def test_suppression_covers_only_its_own_line() -> None:
    other = aws_key_id(8)
    text = f'a = "{KEY}"  # secretshift: allow\nb = "{other}"\n'
    assert [f.secret.reveal() for f in ENGINE.scan(Blob("app.py", text.encode()))] == [other]
