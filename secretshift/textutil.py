"""Small text helpers shared by the engine, detectors and reporters."""
from __future__ import annotations

import bisect
import math
from collections import Counter


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` (0.0 for the empty string)."""
    if not value:
        return 0.0
    length = len(value)
    return -sum((n / length) * math.log2(n / length) for n in Counter(value).values())


def decode(data: bytes) -> str:
    """Decode file bytes losslessly: UTF-8 when valid, else Latin-1 (every byte maps)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def normalise_encoding(data: bytes) -> bytes:
    """Turn UTF-16/UTF-32 text (by BOM) into UTF-8 so byte rules see ASCII tokens."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return _reencode(data, "utf-32")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _reencode(data, "utf-16")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:]
    return data


def _reencode(data: bytes, codec: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8", "surrogatepass")
    except UnicodeError:
        return data


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


class LineIndex:
    """Byte offset -> (line, column), 1-based, columns in Unicode code points."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._starts: list[int] | None = None

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            find = self._data.find
            pos = find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find(b"\n", pos + 1)
            self._starts = starts
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        start = starts[line - 1]
        column = len(decode(self._data[start:offset])) + 1
        return line, column

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """Start and end (exclusive, without the newline) of the line holding ``offset``."""
        data = self._data
        start = data.rfind(b"\n", 0, offset) + 1
        end = data.find(b"\n", offset)
        if end == -1:
            end = len(data)
        return start, end


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def printable_path(path: str) -> str:
    """Escape control characters so a hostile file name cannot forge terminal output."""
    if path.isprintable() and "\\" not in path:
        return path
    out = []
    for char in path:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif not char.isprintable():
            out.append(f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)
