"""The key/operator search takes a key's characters possessively on 3.11+ (plugins/assignments.py):
it must find exactly what the backtracking form finds."""
from __future__ import annotations

import random
import re

from secretshift.plugins import assignments


def _all(pattern: re.Pattern[bytes], line: bytes) -> list[tuple[tuple[int, int], bytes, bytes]]:
    out, pos = [], 0
    while True:
        match = pattern.search(line, pos)
        if match is None:
            return out
        out.append((match.span(), match.group("key"), match.group("op")))
        pos = match.end()


def test_possessive_and_backtracking_forms_find_the_same() -> None:
    backtracking = re.compile(assignments._KEY_OP.pattern.replace(b"{0,80}+", b"{0,80}"))
    pieces = [b"a", b"Z", b"_", b"9", b".", b"-", b'"', b"'", b"`", b"]", b" ", b"\t", b"=", b":", b",", b"(",
              b"=>", b":=", b"??=", b"||=", b"==", b"://", b"::", b"password", b"x" * 85]
    rng = random.Random(7)
    lines = [b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(6000)]
    lines += [b'"db_password" = "s3cret"', b"a" * 100 + b"=1", b"9abc=1", b"['api.key']: v", b"x-token : y"]
    assert all(_all(assignments._KEY_OP, line) == _all(backtracking, line) for line in lines)  # type: ignore[arg-type]
