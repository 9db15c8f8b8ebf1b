"""The scan engine: bytes in, findings out. It never knows where the bytes came from.

Per blob: one prefilter pass finds every keyword of every rule and detector; each rule's exact
(linear-time) regex then runs only on small windows around its own keyword hits; Python
detectors run only when one of their keywords occurred. Overlapping verdicts are resolved in
favour of the most specific rule, then inline suppressions are honoured.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from secretshift.scanner.detector import Detector
from secretshift.scanner.keys import infer_key
from secretshift.models import Allowlist, Blob, Finding, Rule, SecretValue, confidence_rank
from secretshift.scanner.prefilter import Prefilter
from secretshift.scanner.regex import LinearRegex, compile_linear, compile_text
from secretshift.textutil import LineIndex, decode, normalise_encoding, shannon_entropy

PACK_RULE_PRIORITY = 100
# Ours, detect-secrets' pragma and gitleaks' marker: a team keeps the allow comments it has.
ALLOW_MARKERS = (b"secretshift: allow", b"pragma: allowlist secret", b"gitleaks:allow")
NEXT_LINE_MARKERS = (b"secretshift: allow", b"pragma: allowlist nextline secret")
_LONG_LINE = 65536
_KEY_PREFIX_BYTES = 2048  # infer_key reads at most 512 characters before the value
_COMMENT_LEADERS = (b"#", b"//", b"/*", b"*", b"--", b";", b"<!--", b"%", b"rem ", b"'")


class _Verdict(NamedTuple):
    priority: int
    start: int
    end: int
    rule: str
    description: str
    value: str
    key: str | None
    context: tuple[tuple[str, str], ...]
    confidence: str = "medium"


class Engine:
    def __init__(
        self,
        rules: Sequence[Rule],
        detectors: Sequence[Detector] = (),
        allowlist: Allowlist = Allowlist(),
        use_hyperscan: bool = True,
        min_confidence: str = "low",
        hash_key: bytes | None = None,
    ) -> None:
        self.rules = list(rules)
        self._min_rank = confidence_rank(min_confidence)
        self.hash_key = hash_key  # findings' secret_hash is keyed with it (None: plain SHA-1)
        self.detectors = list(detectors)
        self.allowlist = allowlist
        owners: dict[str, list[int]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                owners[keyword.lower()].append(index)
        for index, detector in enumerate(self.detectors):
            for keyword in detector.keywords:
                owners[keyword.lower()].append(-1 - index)
        # Detectors that read a file for its name (`.pgpass`, `master.key`) whatever bytes it holds.
        self._path_detectors = [i for i, d in enumerate(self.detectors) if hasattr(d, "wants_path")]
        keywords = sorted(owners)
        self._owners = [tuple(owners[k]) for k in keywords]
        self._keyword_len = [len(k.encode("utf-8")) for k in keywords]
        # A keyword is looked for at word starts only when every rule it serves says so (a
        # detector reads keywords anywhere).
        word_start = frozenset(
            index for index, keyword in enumerate(keywords)
            if all(owner >= 0 and keyword in self.rules[owner].word_start for owner in self._owners[index])
        )
        self.prefilter = Prefilter(keywords, use_hyperscan, word_start)
        self._regexes: dict[int, tuple[LinearRegex, int]] = {}
        self._text_patterns: dict[str, Any] = {}
        self._descriptions = {rule.id: rule.description for rule in self.rules}
        self._confidences = {rule.id: rule.confidence for rule in self.rules}
        for detector in self.detectors:
            for rule in detector.rules:
                self._descriptions[rule.id] = rule.description
                self._confidences[rule.id] = rule.confidence
        self._global_stopwords = tuple(s.lower() for s in allowlist.stopwords)

    # -- public -----------------------------------------------------------------------------
    def scan(self, blob: Blob) -> list[Finding]:
        data = normalise_encoding(blob.data)
        if data is not blob.data:
            blob = Blob(blob.path, data, blob.commit, blob.author_date)
        hits = self.prefilter.scan(data)
        by_path = [i for i in self._path_detectors if self.detectors[i].wants_path(blob.path)]  # type: ignore[attr-defined]
        if not hits and not by_path:
            return []
        rule_hits: dict[int, list[int]] = defaultdict(list)
        detector_hits: dict[int, list[int]] = {index: [] for index in by_path}
        for keyword_index, end in hits:
            for owner in self._owners[keyword_index]:
                if owner >= 0:
                    rule_hits[owner].append(end - self._keyword_len[keyword_index])
                else:
                    detector_hits.setdefault(-1 - owner, []).append(end)
        verdicts: list[_Verdict] = []
        for rule_index, starts in rule_hits.items():
            verdicts.extend(self._run_rule(self.rules[rule_index], rule_index, blob, starts))
        for detector_index, ends in detector_hits.items():
            detector = self.detectors[detector_index]
            for raw in detector.detect(blob, ends):
                value = raw.value if raw.value is not None else decode(data[raw.start : raw.end])
                if not value or self._globally_allowed(value):
                    continue
                verdicts.append(
                    _Verdict(
                        detector.priority, raw.start, raw.end, raw.rule,
                        self._descriptions.get(raw.rule, raw.rule), value, raw.key, raw.context,
                        raw.confidence or self._confidences.get(raw.rule, "medium"),
                    )
                )
        if not verdicts:
            return []
        kept = _resolve_overlaps(verdicts)
        if self._min_rank:
            # After overlaps are resolved: the most specific rule's verdict (a Stripe test-mode
            # key is low) must not hand its bytes to a generic rule that would rate them higher.
            kept = [v for v in kept if confidence_rank(v.confidence) >= self._min_rank]
        return self._findings(blob, kept) if kept else []

    # -- rules ------------------------------------------------------------------------------
    def _regex(self, rule_index: int) -> tuple[LinearRegex, int]:
        cached = self._regexes.get(rule_index)
        if cached is None:
            rule = self.rules[rule_index]
            regex = compile_linear(rule.regex, f"rule {rule.id!r}")
            cached = (regex, regex.group_names.get(rule.secret_group, 0))
            self._regexes[rule_index] = cached
        return cached

    def _run_rule(self, rule: Rule, rule_index: int, blob: Blob, starts: list[int]) -> list[_Verdict]:
        if rule.allowlist.paths and self._path_allowed(rule.allowlist.paths, blob.path):
            return []
        if rule.paths and not self._path_allowed(rule.paths, blob.path):
            return []
        data = blob.data
        size = len(data)
        regex, group = self._regex(rule_index)
        out: list[_Verdict] = []
        seen: set[int] = set()
        for window_start, window_end in _windows(data, sorted(starts), rule):
            # Slice rather than pass pos/endpos: RE2 anchors `^`/`$` to the whole buffer, so
            # with bounds a secret at the start or end of a line (`TOKEN=ghp_...\n`) was missed.
            window = data[window_start:window_end]
            for match in regex.finditer(window):
                start, end = window_start + match.start(group), window_start + match.end(group)
                if match.start(group) < 0 or start in seen or end > size:
                    continue
                seen.add(start)
                value = decode(match.group(group))
                if self._rejected(rule, value):
                    continue
                out.append(
                    _Verdict(
                        PACK_RULE_PRIORITY, start, end, rule.id, rule.description, value, None, (), rule.confidence
                    )
                )
        return out

    def _rejected(self, rule: Rule, value: str) -> bool:
        if rule.min_entropy is not None and shannon_entropy(value) < rule.min_entropy:
            return True
        lowered = value.lower()
        if any(word in lowered for word in rule.allowlist.stopwords):
            return True
        for pattern in rule.allowlist.regexes:
            if self._text_pattern(pattern).search(value):
                return True
        if rule.validator is not None:
            from secretshift.plugins.validators import VALIDATORS

            if not VALIDATORS[rule.validator](value):
                return True
        return self._globally_allowed(value)

    def _globally_allowed(self, value: str) -> bool:
        if self._global_stopwords:
            lowered = value.lower()
            if any(word in lowered for word in self._global_stopwords):
                return True
        return any(self._text_pattern(p).search(value) for p in self.allowlist.regexes)

    def _text_pattern(self, pattern: str) -> Any:
        compiled = self._text_patterns.get(pattern)
        if compiled is None:
            compiled = self._text_patterns[pattern] = compile_text(pattern, "allowlist regex")
        return compiled

    def _path_allowed(self, patterns: Sequence[str], path: str) -> bool:
        return any(self._text_pattern(p).search(path) for p in patterns)

    # -- findings ---------------------------------------------------------------------------
    def _findings(self, blob: Blob, verdicts: list[_Verdict]) -> list[Finding]:
        data = blob.data
        lines = LineIndex(data)
        allow = _AllowMarkers(data)
        findings = []
        for verdict in sorted(verdicts, key=lambda v: v.start):  # in order: LineIndex is O(file)
            line, column, line_start = lines.locate(verdict.start)
            if allow.suppressed(verdict.start, line, line_start):
                continue
            end_line, end_column = lines.position(verdict.end)
            key = verdict.key
            if key is None:
                prefix_start = max(line_start, verdict.start - _KEY_PREFIX_BYTES)
                key = infer_key(decode(data[prefix_start : verdict.start]))
            findings.append(
                Finding(
                    rule=verdict.rule,
                    description=verdict.description,
                    path=blob.path,
                    line=line,
                    column=column,
                    end_line=end_line,
                    end_column=end_column,
                    secret=SecretValue(verdict.value),
                    key=key,
                    commit=blob.commit,
                    author_date=blob.author_date,
                    offset=verdict.start,
                    end_offset=verdict.end,
                    context=verdict.context,
                    confidence=verdict.confidence,
                    secret_hash=_hash_value(verdict.value, self.hash_key),
                )
            )
        findings.sort(key=lambda f: (f.line, f.column, f.rule))
        return findings


def _windows(data: bytes, starts: list[int], rule: Rule) -> list[tuple[int, int]]:
    """Merged byte windows around sorted keyword hits: from the hit's line start (bounded) to
    its line end (or a fixed reach for multi-line rules)."""
    size = len(data)
    count = len(starts)
    windows: list[tuple[int, int]] = []
    index = 0
    while index < count:
        hit = starts[index]
        # Windows include the newline on either side: RE2 does not let `^`/`$` match at a
        # window's edges inside the blob, so rules bound tokens with `(?:^|[^...])`, which
        # then consumes the newline itself.
        lower = max(0, hit - rule.window_before)
        newline = data.rfind(b"\n", lower, hit)
        start = newline if newline != -1 else lower
        upper = min(size, hit + rule.window_after)
        closed = False
        if rule.multiline:
            end = upper
        else:
            newline = data.find(b"\n", hit, upper)
            closed = newline != -1
            end = newline + 1 if closed else upper
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
        # Both ends of a hit's window grow with the hit, so of the hits inside the current
        # window only the last can reach further (and none can when its line end is known).
        # Jumping there keeps keyword-dense input (a run of one character matching a
        # repetitive keyword at every offset) linear in windows, not in hits.
        inside = bisect.bisect_left(starts, windows[-1][1], index + 1)
        index = inside if closed or inside - 1 <= index else inside - 1
    return windows


def _resolve_overlaps(verdicts: list[_Verdict]) -> list[_Verdict]:
    """Keep one verdict per stretch of bytes: the most specific rule, then the longest span."""
    ordered = sorted(
        (v for v in verdicts if v.end > v.start),  # an empty span is no secret
        key=lambda v: (-v.priority, -(v.end - v.start), v.start, v.rule),
    )
    # Kept spans never overlap, so sorted by start they are also sorted by end: a new span
    # only has to be checked against its two neighbours (thousands of hits stay O(n log n)).
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Verdict] = []
    for verdict in ordered:
        at = bisect.bisect_right(starts, verdict.start)
        if at > 0 and ends[at - 1] > verdict.start:
            continue
        if at < len(starts) and starts[at] < verdict.end:
            continue
        starts.insert(at, verdict.start)
        ends.insert(at, verdict.end)
        kept.append(verdict)
    return kept


class _AllowMarkers:
    """Inline allow markers, read once per line with a finding: on a minified line with
    thousands of findings, re-reading megabytes per finding would be quadratic."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        # line -> (end of the line, its verdict: True/False, or None on a long line where only
        # the text near each secret counts)
        self._lines: dict[int, tuple[int, bool | None]] = {}
        # long line -> where each marker occurs in it, found in one pass over the line
        self._spots: dict[int, list[tuple[int, int]]] = {}

    def suppressed(self, offset: int, line: int, line_start: int) -> bool:
        data = self._data
        known = self._lines.get(line)
        if known is None:
            end = data.find(b"\n", offset)
            end = len(data) if end == -1 else end
            if _previous_line_allows(data, line_start):
                verdict: bool | None = True
            elif end - line_start > _LONG_LINE:
                verdict = None
                self._spots[line] = [
                    (m.start(), m.end()) for m in _marker_regex().finditer(data, line_start, end)
                ]
            else:
                verdict = _has_marker(data[line_start:end])
            known = self._lines[line] = (end, verdict)
        end, verdict = known
        if verdict is not None:
            return verdict
        # A marker counts when it lies within 4 KB of the secret (one pass per line found
        # them all; a fresh 8 KB read per finding made many findings on one line slow).
        low, high = max(line_start, offset - 4096), min(end, offset + 4096)
        spots = self._spots[line]
        at = bisect.bisect_left(spots, (low, low))
        return at < len(spots) and spots[at][1] <= high


def _marker_regex() -> LinearRegex:
    return compile_linear("(?i)" + "|".join(re.escape(m.decode()) for m in ALLOW_MARKERS))


def _has_marker(text: bytes) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in ALLOW_MARKERS)


def _previous_line_allows(data: bytes, line_start: int) -> bool:
    if line_start == 0:
        return False
    prev_end = line_start - 1
    prev_start = data.rfind(b"\n", max(0, prev_end - _LONG_LINE), prev_end) + 1
    previous = data[prev_start:prev_end].strip().lower()
    return previous.startswith(_COMMENT_LEADERS) and any(m in previous for m in NEXT_LINE_MARKERS)


def _hash_value(value: str, key: bytes | None) -> str:
    # Imported on the first finding: hashlib's OpenSSL module costs a clean commit ~3 ms.
    from secretshift.hashing import hash_value

    return hash_value(value, key)
