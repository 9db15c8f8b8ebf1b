"""Secrets hidden one encoding deep: base64 or hex runs that decode to text holding a secret.

The prefilter keywords are the base64 (at each of the three byte alignments) and hex spellings
of a few markers (``password``, ``secret``, ``token``, ``AKIA``, ``-----BEGIN``, ``://`` ...), so
only blobs that plausibly hide one pay anything. A run is decoded (bounded size), and the text is
scanned by an inner engine built from the same config as the outer one (the user's rules and
switches; the generic detector); one more level of encoding is followed (bounded depth).
"""
from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from secretshift import lazy_re
from secretshift.scanner.detector import RawMatch
from secretshift.models import Blob, Example, Rule
from secretshift.plugins import filters as f

if TYPE_CHECKING:
    from secretshift.scanner.engine import Engine

RULE = "encoded-secret"
MAX_DEPTH = 2
_MAX_RUN = 64 * 1024
_MIN_RUN = 16
_MARKERS = (
    b"password", b"passwd", b"secret", b"token", b"PASSWORD", b"SECRET", b"TOKEN", b"Password", b"Secret",
    b"Token", b"api_key", b"apiKey", b"API_KEY", b"AKIA", b"-----BEGIN", b"://",
)
_RUN = lazy_re.compile(rb"[A-Za-z0-9+/_\-]+={0,2}")
_LEFT_RUN = lazy_re.compile(rb"[A-Za-z0-9+/_\-]*")
_HEX_RUN = lazy_re.compile(rb"(?:[0-9a-fA-F]{2})+")


def _base64_keywords(marker: bytes) -> list[str]:
    out = []
    for shift in range(3):
        encoded = binascii.b2a_base64(b"\0" * shift + marker, newline=False).rstrip(b"=")
        first = (shift * 8 + 5) // 6  # the first character made only of the marker's bits
        last = ((shift + len(marker)) * 8) // 6  # characters past this mix in what follows
        piece = encoded[first:last]
        if len(piece) >= 5:
            out.append(piece.decode())
    return out


# `\u0067\u0068...`: a string literal written with escapes (bundlers, JSON dumps, obfuscation).
UNICODE_ESCAPE_KEYWORD = "\\u00"
KEYWORDS = tuple(
    sorted({k for m in _MARKERS for k in _base64_keywords(m)} | {m.hex() for m in _MARKERS[:4]} | {UNICODE_ESCAPE_KEYWORD})
)
_ESCAPED_RUN = lazy_re.compile(rb"(?:\\u[0-9a-fA-F]{4}|[A-Za-z0-9_.+/=~-]){8,4096}")
# MIME and PEM bodies wrap base64 at 64 or 76 columns; a run that fills its line continues on the next.
_WRAP_WIDTHS = range(60, 78)
_B64_LINE = lazy_re.compile(rb"[A-Za-z0-9+/]+={0,2}")


class EncodedSecretDetector:
    name = "encoded"
    priority = 40
    keywords: tuple[str, ...] = KEYWORDS
    rules: tuple[Rule, ...] = (
        Rule(
            id=RULE,
            confidence="medium",
            description="Secret inside base64- or hex-encoded content",
            regex="",
            keywords=(),
            positives=(
                Example(
                    # base64 of "DB_PASSWORD=Wq9rT4yU2iO7\n"
                    "bootstrap: REJfUEFTU1dPUkQ9V3E5clQ0eVUyaU83Cg==\n", path="ci/vars.yaml", secret="Wq9rT4yU2iO7"
                ),
            ),
            negatives=(
                Example(
                    # base64 of "password_length=16\n"
                    "settings: cGFzc3dvcmRfbGVuZ3RoPTE2Cg==\n", "decodes to a setting, not a secret", path="ci/vars.yaml"
                ),
            ),
        ),
    )

    # The decoded text's engine runs these detectors (registry names) besides the rules.
    rescan_with: tuple[str, ...] = ("generic", "encoded")
    max_depth = MAX_DEPTH

    def __init__(self) -> None:
        self._build: Callable[[], Engine] | None = None
        self._engine: Engine | None = None

    def use_engine(self, build: Callable[[], Engine]) -> None:
        self._build, self._engine = build, None

    def _inner(self) -> Engine:
        if self._engine is None:
            if self._build is None:
                raise RuntimeError("EncodedSecretDetector needs an engine: build it with build_engine(config)")
            self._engine = self._build()  # on first use: most scans never decode anything
        return self._engine

    def detect(self, blob: Blob, hits: Sequence[int]) -> Iterable[RawMatch]:
        if f.is_lockfile(blob.path) or f.is_generated_asset(blob.path):
            return []
        data = blob.data
        out: list[RawMatch] = []
        covered = -1
        for hit in sorted(hits):
            if hit <= covered:
                continue  # inside the run already decoded: the same run again
            if data[hit - 4 : hit] == b"\\u00":
                found, covered = self._unicode_escaped(blob, hit)  # the whole line, once
                out.extend(found)
                continue
            span = _run_around(data, hit)
            if span is None:
                continue
            start, end = span
            covered = end
            if data[max(0, start - 8) : start].lower().endswith(b"base64,"):
                continue  # a data: URI (image, font)
            start, end = _wrapped_block(data, start, end)
            text = _decode(re.sub(rb"\s+", b"", data[start:end]))
            if text is None:
                continue
            inner_path = f"{blob.path}#decoded{_suffix(text)}"
            for finding in self._inner().scan(Blob(inner_path, text.encode("utf-8", "surrogateescape"))):
                context = (("encoding", "base64" if not _is_hex(data[start:end]) else "hex"), ("inner_rule", finding.rule))
                out.append(RawMatch(RULE, start, end, value=finding.secret.reveal(), key=finding.key, context=context,
                                    confidence=finding.confidence))
                break  # one finding per encoded run: the run is what gets rotated and rewritten
        return out


    def _unicode_escaped(self, blob: Blob, hit: int) -> tuple[list[RawMatch], int]:
        """Every escaped literal on the line of ``hit``, decoded in place, then the line scanned:
        a finding inside a decoded part is reported at its escaped bytes. Returns the matches and
        the line's end (its other hits need no second look)."""
        data = blob.data
        line_start = data.rfind(b"\n", 0, hit) + 1
        line_end = data.find(b"\n", hit)
        line_end = len(data) if line_end == -1 else line_end
        if line_end - line_start > _MAX_RUN:
            return [], line_end
        line = data[line_start:line_end]
        pieces: list[bytes] = []
        spans: list[tuple[int, int, int, int]] = []  # decoded start/end, escaped start/end
        pos = length = 0
        for run in _ESCAPED_RUN.finditer(line):
            if run.group().count(b"\\u") < 4:
                continue
            decoded = re.sub(rb"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)).encode("utf-8", "surrogatepass"), run.group())
            pieces.append(line[pos : run.start()])
            length += run.start() - pos
            spans.append((length, length + len(decoded), line_start + run.start(), line_start + run.end()))
            pieces.append(decoded)
            length += len(decoded)
            pos = run.end()
        if not spans:
            return [], line_end
        pieces.append(line[pos:])
        out = []
        for finding in self._inner().scan(Blob(blob.path, b"".join(pieces))):
            for lo, hi, start, end in spans:
                if lo <= finding.offset < hi:
                    context = (("encoding", "unicode-escape"), ("inner_rule", finding.rule))
                    out.append(RawMatch(RULE, start, end, value=finding.secret.reveal(), key=finding.key,
                                        context=context, confidence=finding.confidence))
        return out, line_end


def _wrapped_block(data: bytes, start: int, end: int) -> tuple[int, int]:
    """Grow a run that fills its line (MIME/PEM wrapping) over the lines before and after it."""
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", end)
    line_end = len(data) if line_end == -1 else line_end
    if data[line_start:line_end].strip() != data[start:end] or (end - start) not in _WRAP_WIDTHS:
        return start, end
    width = end - start
    lo, hi = line_start, line_end
    while lo > 0:  # earlier full-width lines
        prev_start = data.rfind(b"\n", 0, lo - 1) + 1
        previous = data[prev_start : lo - 1].rstrip(b"\r")
        if len(previous) != width or _B64_LINE.fullmatch(previous) is None:
            break
        lo = prev_start
    while hi < len(data) and hi - lo < _MAX_RUN:  # later lines, the last one may be shorter
        next_end = data.find(b"\n", hi + 1)
        next_end = len(data) if next_end == -1 else next_end
        following = data[hi + 1 : next_end].rstrip(b"\r")
        if not following or len(following) > width or _B64_LINE.fullmatch(following) is None:
            break
        hi = next_end
        if len(following) < width:
            break
    return lo, hi


def _run_around(data: bytes, hit: int) -> tuple[int, int] | None:
    # Look left in growing steps: a run is usually short, and copying 64 KiB per hit would make
    # a keyword-dense file quadratic.
    reach = 256
    while True:
        lo = max(0, hit - reach)
        left = _LEFT_RUN.match(data[lo:hit][::-1])
        length = left.end() if left else 0
        if length < hit - lo or lo == 0 or reach >= _MAX_RUN:
            break
        reach *= 4
    start = hit - length
    right = _RUN.match(data, hit, hit + _MAX_RUN)
    end = right.end() if right else hit
    if end - start < _MIN_RUN:
        return None
    return start, end


def _is_hex(raw: bytes) -> bool:
    return _HEX_RUN.fullmatch(raw) is not None and len(raw) % 2 == 0


def _decode(raw: bytes) -> str | None:
    import base64  # here: most files hold no encoded run, and the hook starts on every commit

    try:
        if _is_hex(raw):
            decoded = binascii.unhexlify(raw)
        elif b"-" in raw or b"_" in raw:
            decoded = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
        else:
            decoded = base64.b64decode(raw + b"=" * (-len(raw) % 4))
        text = decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text)
    return text if text and printable >= 0.95 * len(text) else None


def _suffix(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return ".json"
    if "\n" in stripped and ": " in stripped and "=" not in stripped.split("\n", 1)[0]:
        return ".yaml"
    return ".env"
