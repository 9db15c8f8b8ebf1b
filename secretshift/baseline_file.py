"""The baseline: accepted findings, in detect-secrets' ``.secrets.baseline`` JSON shape.

Compatibility is the point: a team keeps the baseline it already has, and ``detect-secrets
audit`` keeps working on the ones we write. That decides three things:

- ``type`` holds detect-secrets' own type names ("AWS Access Key", "Secret Keyword"...):
  detect-secrets looks every type up in its plugin table and fails on names it does not know,
  so our rule ids cannot go there. The type is a label only.
- Identity is ``(filename, hashed_secret)``: the file and the secret's SHA-1, the same
  hash detect-secrets writes, so its baselines match our findings as they are. Line numbers
  are informational (refreshed by ``baseline update``), never part of identity.
- Writes are deterministic: entries sorted by file then hash (not line, so line moves do not
  reorder them), no timestamp, and nothing is written when nothing changed.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TYPE_CHECKING

from secretshift import lazy_re
from secretshift.errors import FatalError
from secretshift.models import Finding

if TYPE_CHECKING:
    from secretshift.safe_write import PathOrigin

BASELINE_NAME = ".secrets.baseline"
# The detect-secrets release whose format we write; it refuses nothing older than itself.
FORMAT_VERSION = "1.5.0"

# detect-secrets' plugins and their settings: `plugins_used` must name only plugins it knows,
# and the high-entropy plugins need their `limit`. Sorted as detect-secrets sorts them.
DEFAULT_PLUGINS: tuple[Mapping[str, Any], ...] = tuple(
    {"name": name, **({"limit": limit} if limit is not None else {})}
    for name, limit in (
        ("ArtifactoryDetector", None), ("AWSKeyDetector", None), ("AzureStorageKeyDetector", None),
        ("Base64HighEntropyString", 4.5), ("BasicAuthDetector", None), ("CloudantDetector", None),
        ("DiscordBotTokenDetector", None), ("GitHubTokenDetector", None),
        ("GitLabTokenDetector", None), ("HexHighEntropyString", 3.0), ("IbmCloudIamDetector", None),
        ("IbmCosHmacDetector", None), ("JwtTokenDetector", None), ("KeywordDetector", None),
        ("MailchimpDetector", None), ("NpmDetector", None), ("OpenAIDetector", None),
        ("PrivateKeyDetector", None), ("PypiTokenDetector", None), ("SendGridDetector", None),
        ("SlackDetector", None), ("SoftlayerDetector", None), ("SquareOAuthDetector", None),
        ("StripeDetector", None), ("TelegramBotTokenDetector", None), ("TwilioKeyDetector", None),
    )
)
DEFAULT_FILTERS: tuple[Mapping[str, Any], ...] = tuple(
    {"path": f"detect_secrets.filters.{name}"}
    for name in (
        "allowlist.is_line_allowlisted", "heuristic.is_indirect_reference",
        "heuristic.is_likely_id_string", "heuristic.is_lock_file",
        "heuristic.is_not_alphanumeric_string", "heuristic.is_potential_uuid",
        "heuristic.is_prefixed_with_dollar_sign", "heuristic.is_sequential_string",
        "heuristic.is_swagger_file", "heuristic.is_templated_secret",
    )
)
# Rule id prefix -> detect-secrets type. Anything else is a "Secret Keyword" (its generic
# key = value plugin), the closest detect-secrets has to our generic rules.
_TYPES_BY_PREFIX = (
    ("aws-", "AWS Access Key"), ("artifactory", "Artifactory Credentials"),
    ("azure-storage", "Azure Storage Account access key"), ("basic-auth", "Basic Auth Credentials"),
    ("url-credential", "Basic Auth Credentials"), ("cloudant", "Cloudant Credentials"),
    ("discord", "Discord Bot Token"), ("github", "GitHub Token"), ("gitlab", "GitLab Token"),
    ("ibm-cloud-iam", "IBM Cloud IAM Key"), ("ibm-cos", "IBM COS HMAC Credentials"),
    ("jwt", "JSON Web Token"), ("mailchimp", "Mailchimp Access Key"), ("npm", "NPM tokens"),
    ("openai", "OpenAI Token"), ("private-key", "Private Key"), ("pypi", "PyPI Token"),
    ("sendgrid", "SendGrid API Key"), ("slack", "Slack Token"), ("softlayer", "SoftLayer Credentials"),
    ("square", "Square OAuth Secret"), ("stripe", "Stripe Access Key"),
    ("telegram", "Telegram Bot Token"), ("twilio", "Twilio API Key"),
)
GENERIC_TYPE = "Secret Keyword"


def detect_secrets_type(rule_id: str) -> str:
    for prefix, name in _TYPES_BY_PREFIX:
        if rule_id.startswith(prefix):
            return name
    return GENERIC_TYPE


class BaselineEntry(NamedTuple):
    filename: str  # relative to the repository root, `/`-separated
    hashed_secret: str
    type: str
    line_number: int | None = None
    is_verified: bool = False
    is_secret: bool | None = None  # the audit label: True real, False false positive

    @property
    def identity(self) -> tuple[str, str]:
        return (self.filename, self.hashed_secret)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "filename": self.filename,
            "hashed_secret": self.hashed_secret,
            "is_verified": self.is_verified,
        }
        if self.line_number:
            data["line_number"] = self.line_number
        if self.is_secret is not None:
            data["is_secret"] = self.is_secret
        return data


class Baseline:
    """The accepted findings, indexed by (file name, hash). Immutable by convention: the
    ``with_entries`` copy is how it changes. (A plain class: the index is not a field.)"""

    __slots__ = ("entries", "version", "plugins_used", "filters_used", "_index")

    def __init__(
        self,
        entries: tuple[BaselineEntry, ...] = (),
        version: str = FORMAT_VERSION,
        plugins_used: tuple[Mapping[str, Any], ...] = DEFAULT_PLUGINS,
        filters_used: tuple[Mapping[str, Any], ...] = DEFAULT_FILTERS,
    ) -> None:
        self.entries = entries
        self.version = version
        self.plugins_used = plugins_used
        self.filters_used = filters_used
        self._index: dict[tuple[str, str], BaselineEntry] = {}
        for entry in entries:
            self._index.setdefault(entry.identity, entry)

    def _fields(self) -> tuple[object, ...]:
        return (self.entries, self.version, self.plugins_used, self.filters_used)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Baseline) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.entries, self.version))

    def __repr__(self) -> str:
        return f"Baseline({len(self.entries)} entries, version={self.version!r})"

    def lookup(self, filename: str, hashed_secret: str) -> BaselineEntry | None:
        return self._index.get((filename, hashed_secret))

    def match(self, filename: str, finding: Finding) -> BaselineEntry | None:
        """The entry accepting ``finding`` in ``filename``: by its hash, else by the hash
        detect-secrets wrote for the same secret (see :func:`detect_secrets_forms`)."""
        entry = self._index.get((filename, finding.secret_hash))
        if entry is not None or not self._index:
            return entry
        from secretshift.hashing import SCHEME_SHA1, hash_value, scheme_of

        if scheme_of(finding.secret_hash) != SCHEME_SHA1:  # detect-secrets never wrote keyed hashes
            return None
        for form in detect_secrets_forms(finding.secret.reveal()):
            entry = self._index.get((filename, hash_value(form, None)))
            if entry is not None:
                return entry
        return None

    def with_entries(self, entries: Iterable[BaselineEntry]) -> Baseline:
        return Baseline(
            tuple(_sorted_unique(entries)), _newer(self.version), self.plugins_used, self.filters_used
        )


# -- reading ----------------------------------------------------------------------------------
def load_baseline(path: Path, hash_key: bytes | None) -> Baseline:
    """A baseline file (ours or detect-secrets'); a clear error, never a traceback, if broken."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise FatalError(f"baseline not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"cannot read baseline {path}: {exc}") from None
    return baseline_from_text(text, str(path), hash_key)


def baseline_from_text(text: str, origin: str, hash_key: bytes | None) -> Baseline:
    """A baseline's JSON text (`ci` reads the base commit's with `git cat-file`)."""
    import json  # here, not at the top: a repository without a baseline never needs it

    try:
        document = json.loads(text, object_pairs_hook=_merged_duplicates)
    except json.JSONDecodeError as exc:
        raise FatalError(f"{origin}: not a baseline file (invalid JSON at line {exc.lineno})") from None
    return parse_baseline(document, origin, hash_key)


def _merged_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose repeated keys holding lists are joined, not overwritten: a textual
    git merge of two baselines that both added a file leaves that file's key twice."""
    merged: dict[str, Any] = {}
    for key, value in pairs:
        previous = merged.get(key)
        merged[key] = previous + value if isinstance(previous, list) and isinstance(value, list) else value
    return merged


def parse_baseline(document: Any, origin: str, hash_key: bytes | None) -> Baseline:
    """``hash_key``: the run's SECRETSHIFT_HASH_KEY; the baseline's hashes must be of its scheme."""
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
        raise FatalError(f"{origin}: not a baseline file (no `results` object)")
    entries = []
    for filename, items in document["results"].items():
        if not isinstance(items, list):
            raise FatalError(f"{origin}: results for {filename!r} must be a list")
        for item in items:
            entries.append(_entry(item, filename, origin))
    _check_hash_scheme(entries, origin, hash_key)
    version = document.get("version", FORMAT_VERSION)
    # A team's own detect-secrets settings are kept as they are.
    return Baseline(
        entries=tuple(_sorted_unique(entries)),
        version=version if isinstance(version, str) else FORMAT_VERSION,
        plugins_used=_dicts(document.get("plugins_used"), DEFAULT_PLUGINS),
        filters_used=_dicts(document.get("filters_used"), DEFAULT_FILTERS),
    )


def _check_hash_scheme(entries: Sequence[BaselineEntry], origin: str, hash_key: bytes | None) -> None:
    """Hashes made with SECRETSHIFT_HASH_KEY never match plain SHA-1 ones: refuse the mix
    rather than report every accepted secret as new (see secretshift.hashing)."""
    from secretshift.hashing import check_scheme, scheme_of

    schemes = {scheme_of(e.hashed_secret) for e in entries}
    if len(schemes) > 1:
        raise FatalError(f"{origin} mixes plain and keyed (SECRETSHIFT_HASH_KEY) hashes: re-create it")
    if schemes:
        check_scheme(schemes.pop(), origin, hash_key)


def _entry(item: Any, filename: str, origin: str) -> BaselineEntry:
    if not isinstance(item, dict):
        raise FatalError(f"{origin}: an entry for {filename!r} is not an object")
    hashed = item.get("hashed_secret")
    kind = item.get("type")
    if not isinstance(hashed, str) or not isinstance(kind, str):
        raise FatalError(f"{origin}: an entry for {filename!r} lacks `type` or `hashed_secret`")
    line = item.get("line_number")
    label = item.get("is_secret")
    return BaselineEntry(
        filename=_posix(str(item.get("filename", filename))),
        hashed_secret=hashed,
        type=kind,
        line_number=line if isinstance(line, int) and line > 0 else None,
        is_verified=item.get("is_verified") is True,
        is_secret=label if isinstance(label, bool) else None,
    )


def _dicts(value: Any, default: tuple[Mapping[str, Any], ...]) -> tuple[Mapping[str, Any], ...]:
    if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        return tuple(value)
    return default


# -- writing ----------------------------------------------------------------------------------
def render_baseline(baseline: Baseline) -> str:
    import json

    results: dict[str, list[dict[str, Any]]] = {}
    for entry in baseline.entries:
        results.setdefault(entry.filename, []).append(entry.to_dict())
    document = {
        "version": baseline.version,
        "plugins_used": [dict(p) for p in baseline.plugins_used],
        "filters_used": [dict(f) for f in baseline.filters_used],
        "results": results,
    }
    return json.dumps(document, indent=2) + "\n"


def write_baseline(path: Path, baseline: Baseline, root: Path | None = None,
                   origin: PathOrigin | None = None) -> bool:
    """Write safely (no symlinks, never into .git/, see :mod:`secretshift.safe_write`); False (and
    the file untouched) when the content is already that. ``origin``: NAMED_BY_USER when the path
    came from ``--baseline`` (it may then lie outside ``root``, the repository)."""
    from secretshift.safe_write import PathOrigin, write_text

    text = render_baseline(baseline)
    try:
        if path.read_text("utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_text(path, text, root=root if root is not None else find_repo_root(path.parent),
               origin=origin or PathOrigin.FROM_REPOSITORY)
    return True


def _sorted_unique(entries: Iterable[BaselineEntry]) -> list[BaselineEntry]:
    unique: dict[tuple[str, str], BaselineEntry] = {}
    for entry in entries:
        unique.setdefault(entry.identity, entry)
    return sorted(unique.values(), key=lambda e: (e.filename, e.hashed_secret))


def _newer(version: str) -> str:
    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))

    return version if parts(version) > parts(FORMAT_VERSION) else FORMAT_VERSION


def _posix(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


# -- findings <-> entries ---------------------------------------------------------------------
def entry_for(finding: Finding, filename: str, previous: BaselineEntry | None) -> BaselineEntry:
    """The entry for a finding; an earlier entry's labels (and foreign type name) are kept, and
    a hash detect-secrets made of a part of the secret becomes the whole secret's hash."""
    if previous is None:
        return BaselineEntry(filename, finding.secret_hash, detect_secrets_type(finding.rule), finding.line)
    return previous._replace(filename=filename, hashed_secret=finding.secret_hash, line_number=finding.line)


def refreshed(
    baseline: Baseline,
    findings: Sequence[tuple[str, Finding]],
    in_scope: Callable[[str], bool],
    add_new: bool = True,
) -> Baseline:
    """``baseline`` after a scan that found ``findings`` (each with its root-relative filename):
    entries of files the scan covered (``in_scope``) are replaced by what it found (labels kept,
    lines refreshed; a secret that is gone loses its entry), entries of other files stay, and
    ``add_new`` decides whether findings without an entry join."""
    kept = [e for e in baseline.entries if not in_scope(e.filename)]
    fresh: dict[tuple[str, str], BaselineEntry] = {}
    for filename, finding in sorted(findings, key=lambda p: (p[0], p[1].line, p[1].column)):
        key = (filename, finding.secret_hash)
        if key in fresh:
            continue
        previous = baseline.match(filename, finding)
        if previous is None and not add_new:
            continue
        fresh[key] = entry_for(finding, filename, previous)
    return baseline.with_entries([*kept, *fresh.values()])


# -- the hashes detect-secrets wrote ----------------------------------------------------------
# detect-secrets 1.5 hashes whatever its plugin's regex returns, which for some plugins is not
# the secret: a capture group holding only the token's prefix (GitHub `ghp`, GitLab `glpat`),
# the match with its surroundings (Azure `AccountKey=...`, Artifactory's delimiters), or the
# key's header line. Its baselines hold those hashes; these are the forms to try, from the
# token formats (the regexes below are ours, written from the documented shapes).
_PREFIX_ONLY = lazy_re.compile(r"(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}|(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_-]{20,50}")
_GITLAB_CI_PARTITION = lazy_re.compile(r"glcbt-([0-9a-fA-F]{2}_)")
_JWT_HEAD = lazy_re.compile(r"eyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.?")  # it stops before the signature
_AZURE_KEY = lazy_re.compile(r"[A-Za-z0-9+/=]{88}")
_ARTIFACTORY = lazy_re.compile(r"AKC[A-Za-z0-9]{10,}|AP[0-9A-F][A-Za-z0-9]{8,}")
_PRIVATE_KEY_HEADERS = (
    "BEGIN DSA PRIVATE KEY", "BEGIN EC PRIVATE KEY", "BEGIN OPENSSH PRIVATE KEY",
    "BEGIN PGP PRIVATE KEY BLOCK", "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY",
    "BEGIN SSH2 ENCRYPTED PRIVATE KEY", "PuTTY-User-Key-File-2",
)


def detect_secrets_forms(secret: str) -> tuple[str, ...]:
    """The strings detect-secrets 1.5.0 may have hashed for ``secret`` instead of the secret.

    A prefix-only hash identifies a kind of token in a file, not one token: until `baseline
    update` rewrites such an entry with the whole secret's hash, it accepts any token of that
    kind in that file, as it did under detect-secrets."""
    prefix = _PREFIX_ONLY.fullmatch(secret)
    if prefix:
        return (prefix.group(1) or prefix.group(2),)
    partition = _GITLAB_CI_PARTITION.match(secret)
    if partition:
        return (partition.group(1),)
    if secret.startswith("eyJ"):
        head = _JWT_HEAD.match(secret)
        return (head.group(0),) if head else ()
    headers = tuple(h for h in _PRIVATE_KEY_HEADERS if h in secret)
    if headers:
        return headers
    if _AZURE_KEY.fullmatch(secret):
        return (f"AccountKey={secret}",)
    if _ARTIFACTORY.fullmatch(secret):
        # its regex keeps one delimiter (or the line's start/end) on each side in the match
        return tuple(f"{before}{secret}{after}" for before in ("", " ", "\t", "=", ":", '"')
                     for after in ("", " ", "\t", '"') if before or after)
    return ()


# -- where the baseline and the repository are ------------------------------------------------
def find_repo_root(start: Path) -> Path:
    """The nearest folder holding `.git` (a directory, or a file in worktrees); no subprocess,
    the commit hook cannot afford one. Falls back to ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def resolve_baseline_path(explicit: str | None, configured: str | None, root: Path,
                          config_source: str | None = None) -> Path | None:
    """``--baseline`` wins, then ``baseline`` from the config (relative to the config file's
    folder, else to the repository root), then ``.secrets.baseline`` at the root if it exists.
    `scan`, `hook`, `ci` and `baseline` all resolve it here."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise FatalError(f"baseline not found: {explicit}")
        return path
    if configured is not None:
        folder = Path(config_source).parent if config_source else root
        path = Path(configured) if os.path.isabs(configured) else folder / configured
        if not path.is_file():
            raise FatalError(f"baseline from the config not found: {configured}")
        return path
    default = root / BASELINE_NAME
    return default if default.is_file() else None


def root_relative(path: str, root: Path, base: Path | None = None) -> str:
    """``path`` (relative to ``base``, default the current directory) as the baseline names
    it: relative to the repository root, `/`-separated."""
    absolute = os.path.abspath(os.path.join(base or os.getcwd(), path))
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return _posix(path)
    return _posix(path) if relative.startswith("..") else _posix(relative)
