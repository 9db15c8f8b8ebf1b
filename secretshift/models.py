"""Values that cross module boundaries: secrets, rules, blobs and findings.

They are ``NamedTuple`` records, not dataclasses: every command (the commit hook above all)
imports them at start-up, and a frozen dataclass costs ~1.5 ms to create there (its methods are
generated and compiled at import), a NamedTuple a fifth of that (bench/RESULTS.md, hook latency).

Every plaintext secret is held in a :class:`SecretValue`, whose ``repr``/``str``
never show the value. Code that really needs the plaintext calls ``reveal()``,
which makes every such place easy to find and review.
"""
from __future__ import annotations

from typing import Any, NamedTuple


class SecretValue:
    """A plaintext secret that refuses to print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def redacted(self) -> str:
        return redact(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("SecretValue", self._value))

    def __repr__(self) -> str:
        return f"SecretValue({self.redacted()!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling is needed to move findings between worker processes.
        return (SecretValue, (self._value,))


def redact(value: str) -> str:
    """Show at most the first four characters, never the length."""
    if len(value) >= 16:
        shown = 4
    elif len(value) >= 8:
        shown = 2
    else:
        shown = 0
    return value[:shown] + "*****"


CONFIDENCE_LEVELS = ("low", "medium", "high")  # in ascending order


def confidence_rank(level: str) -> int:
    """0 for low, 1 medium, 2 high; an unknown level ranks as medium."""
    return CONFIDENCE_LEVELS.index(level) if level in CONFIDENCE_LEVELS else 1


class Example(NamedTuple):
    """A rule example: ``text`` must (or must not) produce a finding."""

    text: str
    reason: str = ""
    secret: str | None = None  # the expected secret for positive examples
    path: str = "example.txt"  # the file name the text is scanned as


class Allowlist(NamedTuple):
    stopwords: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()  # matched against the secret
    paths: tuple[str, ...] = ()  # regexes matched against the path


class Rule(NamedTuple):
    id: str
    description: str
    regex: str
    keywords: tuple[str, ...]
    provider: str = ""
    secret_group: str = "secret"
    min_entropy: float | None = None
    validator: str | None = None
    allowlist: Allowlist = Allowlist()
    # How far (bytes) around a keyword hit the exact regex looks. Rules whose secret
    # spans lines (private keys) set a larger `window_after`.
    window_before: int = 256
    window_after: int = 512
    multiline: bool = False
    key: str | None = None  # a default key name for migration, e.g. "aws_secret_access_key"
    rotation: str = "manual"  # manual | lambda | managed: how the provider allows rotation
    positives: tuple[Example, ...] = ()
    negatives: tuple[Example, ...] = ()
    source: str = ""  # the pack file the rule came from
    # high: a provider format with a checksum or strong structure; medium: a format that needs
    # the provider's name next to it; low: generic/entropy-only, or a test-mode key.
    confidence: str = "high"
    paths: tuple[str, ...] = ()  # when set, regexes a file's path must match (gitleaks' `path`)
    family: str = ""  # the pack's family ("Cloud and hosting"), shown by `secretshift rules`
    # Keywords the regex only matches at the start of a word (after `(?:^|[^0-9A-Za-z...])`):
    # the prefilter skips them inside words (`cio` in "precision"). See rules.word_start_keywords.
    word_start: tuple[str, ...] = ()


class Blob(NamedTuple):
    """Bytes to scan, with where they came from. Detectors never look further."""

    path: str
    data: bytes
    commit: str | None = None
    author_date: str | None = None


class Validation(NamedTuple):
    """What a secret's provider said about it (`--validate`); never holds the secret."""

    status: str  # valid | invalid | revoked | unknown | error
    reason: str = ""
    provider: str = ""
    identity: tuple[tuple[str, str], ...] = ()  # e.g. (("account", "123456789012"), ("arn", ...))
    revoke: str = ""  # the provider's documented page for revoking / rotating it

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "provider": self.provider,
                "identity": dict(self.identity), "revoke": self.revoke}


class Finding(NamedTuple):
    rule: str
    description: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    secret: SecretValue
    # SHA-1 of the value (detect-secrets' hash), or HMAC-SHA256 under SECRETSHIFT_HASH_KEY: made
    # once, by the engine, with the key it was built with (secretshift.hashing).
    secret_hash: str
    key: str | None = None
    commit: str | None = None
    author_date: str | None = None
    offset: int = 0  # byte offset of the secret in the blob
    end_offset: int = 0
    context: tuple[tuple[str, str], ...] = ()  # detector-specific facts (file kind, key path, ...)
    confidence: str = "medium"  # high | medium | low, see Rule.confidence
    validation: Validation | None = None  # set by `--validate` only

    @property
    def redacted(self) -> str:
        return self.secret.redacted()

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes two findings the same one: content, never line numbers."""
        return (self.path, self.rule, self.secret_hash)

    def context_value(self, name: str) -> str | None:
        for key, value in self.context:
            if key == name:
                return value
        return None

    def to_dict(self, show_secret: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "description": self.description,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "key": self.key,
            "secret_hash": self.secret_hash,
            "redacted": self.redacted,
            "commit": self.commit,
            "confidence": self.confidence,
        }
        if self.author_date is not None:
            data["author_date"] = self.author_date
        for name in ("kind", "key_path", "group"):  # what the structural detectors know
            value = self.context_value(name)
            if value is not None:
                data[name] = value
        if self.validation is not None:
            data["validation"] = self.validation.to_dict()
        if show_secret:
            data["secret"] = self.secret.reveal()
        return data


class Skipped(NamedTuple):
    """A file the scan did not read, and why (never silent)."""

    path: str
    reason: str


class ScanResult:
    """What a scan found and passed over; filled in as the scan goes (so not a NamedTuple)."""

    __slots__ = ("findings", "skipped", "files_scanned", "bytes_scanned")

    def __init__(
        self,
        findings: list[Finding] | None = None,
        skipped: list[Skipped] | None = None,
        files_scanned: int = 0,
        bytes_scanned: int = 0,
    ) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.skipped: list[Skipped] = [] if skipped is None else skipped
        self.files_scanned = files_scanned
        self.bytes_scanned = bytes_scanned

    def __repr__(self) -> str:
        return (f"ScanResult({len(self.findings)} findings, {len(self.skipped)} skipped, "
                f"{self.files_scanned} files, {self.bytes_scanned} bytes)")
