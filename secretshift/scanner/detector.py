"""The interface between the engine and Python detectors (``secretshift.plugins``)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from secretshift.models import Blob, Rule


@dataclass(frozen=True)
class RawMatch:
    """A detector's verdict, as byte offsets of the value inside the blob."""

    rule: str
    start: int
    end: int
    value: str | None = None  # the secret when it differs from the bytes (e.g. base64-decoded)
    key: str | None = None
    context: tuple[tuple[str, str], ...] = ()


class Detector(Protocol):
    """A detector that needs code, not just a regex.

    ``keywords`` feed the shared prefilter; ``detect`` runs only for blobs where one of them
    occurred, and receives the byte offsets just past each hit. ``rules`` describe the rule ids
    the detector reports (with examples, tested like any pack rule).
    """

    name: str
    priority: int
    keywords: tuple[str, ...]
    rules: tuple[Rule, ...]

    def detect(self, blob: Blob, hits: Sequence[int]) -> Iterable[RawMatch]: ...
