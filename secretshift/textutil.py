"""Small text helpers shared by the engine, detectors and reporters."""
from __future__ import annotations

import codecs
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
    """Turn UTF-16/UTF-32 text into UTF-8 so byte rules see ASCII tokens: by BOM, or, without
    one, UTF-16 whose NUL bytes sit in every other position (what Windows tools write)."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return _reencode(data, "utf-32")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _reencode(data, "utf-16")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:]
    codec = sniff_utf16(data)
    return _reencode(data, codec) if codec else data


def sniff_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for BOM-less UTF-16 text (mostly ASCII), else None."""
    if data[:2].count(0) != 1 or len(data) % 2:
        return None  # cheap exit for the usual file: ASCII text has no NUL in its first bytes
    sample = data[:8192]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.6 * len(odd) and even.count(0) <= 0.02 * len(even):
        codec = "utf-16-le"
    elif even.count(0) >= 0.6 * len(even) and odd.count(0) <= 0.02 * len(odd):
        codec = "utf-16-be"
    else:
        return None
    try:  # incremental: the sample may end inside a surrogate pair
        codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    return codec


def _reencode(data: bytes, codec: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8", "surrogatepass")
    except UnicodeError:
        return data


def looks_binary(data: bytes) -> bool:
    """NUL bytes near the start, unless the file is UTF-16/32 text."""
    head = data[:8192]
    if b"\x00" not in head:
        return False
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] == b"\x00\x00\xfe\xff":
        return False
    return sniff_utf16(data) is None


# Bytes that start a UTF-8 code point (everything but continuation bytes 0x80-0xBF).
_LEAD_BYTES = bytes(range(0x80)) + bytes(range(0xC0, 0x100))


class LineIndex:
    """Byte offset -> (line, column), 1-based, columns in Unicode code points.

    Columns count code points when the whole line is UTF-8, else bytes (the line reads as
    Latin-1). A cursor remembers the last position: offsets asked in increasing order cost
    O(file) in total and O(1) memory, so neither a 5 MB minified line with thousands of secrets
    nor a file of millions of lines goes quadratic or builds a table of every line start.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._reset()

    def _reset(self) -> None:
        self._offset = 0  # the last offset located, and its line, line start and column
        self._line = 1
        self._start = 0
        self._column = 1
        self._utf8: bool | None = None  # whether the cursor's line is valid UTF-8

    def locate(self, offset: int) -> tuple[int, int, int]:
        """(line, column, byte offset where the line starts) of ``offset``."""
        data = self._data
        if offset < self._offset:
            self._reset()
        newlines = data.count(b"\n", self._offset, offset)
        if newlines:
            self._line += newlines
            self._start = self._offset = data.rfind(b"\n", self._offset, offset) + 1
            self._column = 1
            self._utf8 = None
        if self._utf8 is None:
            self._utf8 = _is_utf8(data, self._start, self.line_bounds(self._start)[1])
        chunk = data[self._offset : offset]
        if self._utf8:
            self._column += len(chunk) - len(chunk.translate(None, _LEAD_BYTES))
        else:
            self._column += len(chunk)
        self._offset = offset
        return self._line, self._column, self._start

    def position(self, offset: int) -> tuple[int, int]:
        line, column, _ = self.locate(offset)
        return line, column

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """Start and end (exclusive, without the newline) of the line holding ``offset``."""
        data = self._data
        start = data.rfind(b"\n", 0, offset) + 1
        end = data.find(b"\n", offset)
        return start, len(data) if end == -1 else end


def _is_utf8(data: bytes, start: int, end: int) -> bool:
    # In slices, so that checking a 200 MB single-line file never holds a second copy of it.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for at in range(start, end, 1 << 20):
            decoder.decode(view[at : min(end, at + (1 << 20))], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


def terminal_text(text: str) -> str:
    """Multi-line text for a terminal (a plan summary, a diff): every control character but newline
    and tab escaped, so file names and contents cannot move the cursor, recolour or retitle it."""
    if text.isprintable():
        return text
    return "\n".join("\t".join(printable_path(part) if not part.isprintable() else part
                               for part in line.split("\t")) for line in text.split("\n"))


def shell_word(text: str) -> str:
    """``text`` as one word to paste into a POSIX shell: quoted, and ANSI-C quoted (``$'...'``)
    when it holds control characters or undecodable bytes, so that a hostile file name can
    neither forge terminal output nor inject a command into a printed hint."""
    if text.isprintable():
        import shlex

        return shlex.quote(text)
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by os.fsdecode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in _ESCAPES or char == "'":
            out.append(_ESCAPES.get(char, "\\'"))
        elif not char.isprintable():
            # The UTF-8 bytes, one \xNN each: bash reads `\x9b` as the byte 0x9B, not as U+009B.
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"


def json_text(document: object) -> str:
    """JSON that is always valid UTF-8: readable non-ASCII text, but a file name holding
    undecodable bytes (a lone surrogate from os.fsdecode) is written as its ``\\udcXX``
    escape, which decodes back to the same str and, through os.fsencode, the exact bytes."""
    import json  # here: the commit hook without a baseline never writes JSON

    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
