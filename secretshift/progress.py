"""A one-line progress indicator on stderr, shown only to a person watching a terminal."""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_INTERVAL = 0.2  # seconds between redraws: often enough to look alive, rarely enough to cost nothing


def progress_wanted(stream: TextIO) -> bool:
    """On a terminal, and not in CI (CI logs are files: carriage-return redraws only add noise)."""
    if os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self._next_draw = 0.0
        self._drawn = False

    def update(self, done: int, findings: int) -> None:
        now = time.monotonic()
        if now < self._next_draw:
            return
        self._next_draw = now + _INTERVAL
        share = f" ({100 * done // self.total}%)" if self.total else ""
        of_total = f"/{self.total}" if self.total else ""
        self.stream.write(f"\r\x1b[Ksecretshift: {self.label}: {done}{of_total} commits{share}, {findings} findings")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
