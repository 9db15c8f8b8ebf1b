"""The interface between the engine and Python detectors (``secretshift.plugins``)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, Protocol, TYPE_CHECKING, runtime_checkable

from secretshift.models import Blob, Rule

if TYPE_CHECKING:
    from secretshift.scanner.engine import Engine


class RawMatch(NamedTuple):
    """A detector's verdict, as byte offsets of the value inside the blob."""

    rule: str
    start: int
    end: int
    value: str | None = None  # the secret when it differs from the bytes (e.g. base64-decoded)
    key: str | None = None
    context: tuple[tuple[str, str], ...] = ()
    confidence: str = ""  # empty: the confidence of the detector's rule `rule`


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


@runtime_checkable
class Rescanning(Protocol):
    """A detector that decodes content (base64, hex) and scans the decoded text again.

    It never builds its own engine: :func:`secretshift.scanner.build.build_engine` hands it one
    built from the same config (the user's rules, disabled rules and allowlist), running the
    detectors named in ``rescan_with``; nesting stops at ``max_depth`` decoding levels.
    """

    rescan_with: tuple[str, ...]
    max_depth: int

    def use_engine(self, build: Callable[[], Engine]) -> None: ...
