"""Allow markers on lines too long to read whole per finding: only a marker near the secret counts."""
from __future__ import annotations

import pytest

from secretshift.scanner.engine import Engine
from secretshift.models import Blob
from secretshift.scanner.rules import builtin_rules

TOKEN = "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"
ENGINE = Engine([r for r in builtin_rules() if r.id == "github-token"])
FILLER = "x" * 100_000  # longer than the engine's long-line threshold


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f"{FILLER} t='{TOKEN}' ", True),
        (f"{FILLER} t='{TOKEN}' /* secretshift: allow */ {FILLER}", False),
        (f"{FILLER} /* SecretShift: ALLOW */ t='{TOKEN}' {FILLER}", False),
        (f"/* pragma: allowlist secret */ {FILLER} t='{TOKEN}' ", True),
        (f"t='{TOKEN}' {FILLER} /* secretshift: allow */", True),
    ],
    ids=["no-marker", "marker-after", "marker-before-any-case", "marker-far-before", "marker-far-after"],
)
def test_marker_counts_only_near_the_secret_on_a_long_line(line: str, found: bool) -> None:
    findings = ENGINE.scan(Blob("bundle.min.js", f"first line\n{line}\nlast line\n".encode()))
    assert bool(findings) is found


def test_many_findings_on_one_long_line_are_all_reported() -> None:
    line = " ".join(f"t{i}='{TOKEN}'" for i in range(3000)) + " /* secretshift: allow */"
    findings = ENGINE.scan(Blob("bundle.min.js", line.encode()))
    # The marker sits at the end: only the secrets within 4 KB of it are allowed.
    assert 2800 < len(findings) < 3000
