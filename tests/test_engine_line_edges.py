"""A token at the very start or end of a line that is not the file's first or last line."""
from __future__ import annotations

import pytest

from secretshift.scanner.engine import Engine
from secretshift.models import Blob
from secretshift.scanner.rules import builtin_rules

TOKEN = "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"
ENGINE = Engine([r for r in builtin_rules() if r.id == "github-token"])


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (f"T={TOKEN}\nnext=1\n", 1, 3),
        (f"first\n{TOKEN} trailing\n", 2, 1),
        (f"first\n{TOKEN}\nlast\n", 2, 1),
        (f"first\r\nT={TOKEN}\r\nlast", 2, 3),
        (f"T={TOKEN}", 1, 3),
    ],
    ids=["end-of-first-line", "start-of-middle-line", "whole-middle-line", "crlf", "end-of-file"],
)
def test_token_at_line_edge_is_found(text: str, line: int, column: int) -> None:
    findings = ENGINE.scan(Blob("x.env", text.encode()))
    assert [(f.line, f.column, f.secret.reveal()) for f in findings] == [(line, column, TOKEN)]


def test_keyword_dense_input_stays_linear_in_windows() -> None:
    # A run of one character matches a repetitive keyword at every offset; the windows must
    # not be computed once per hit (that made a 3 MB run take ~10 s).
    from secretshift.scanner.engine import _windows
    from secretshift.models import Rule

    rule = Rule(id="r", description="d", regex="(?P<secret>a)", keywords=("aaaa",))
    data = b"a" * 100_000
    starts = list(range(len(data) - 3))
    windows = _windows(data, starts, rule)
    assert windows == [(0, len(data))]
    lines = (b"a" * 80 + b"\n") * 100
    line_starts = [i for i in range(len(lines) - 3) if lines[i : i + 4] == b"aaaa"]
    assert _windows(lines, line_starts, rule) == [(0, len(lines))]
