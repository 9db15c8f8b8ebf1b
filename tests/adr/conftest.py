from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from secretshift.cli import main


@pytest.fixture
def adr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    """`secretshift adr ...` in-process: (exit code, stdout, stderr)."""

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(["adr", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def violations(out: str) -> list[dict[str, object]]:
    return json.loads(out)["violations"]  # type: ignore[no-any-return]
