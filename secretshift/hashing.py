"""How a secret is identified without being stored: its hash, optionally keyed.

By default the hash is the SHA-1 hex digest of the value, the same as detect-secrets'
``hashed_secret``, so existing baselines keep working. An unkeyed hash of a short or guessable
password can be reversed by trying candidates (a GPU tries billions of SHA-1s per second), and
baselines, JSON reports and SARIF fingerprints travel further than the repository. With a key in
``SECRETSHIFT_HASH_KEY`` every hash becomes ``hmac-sha256:<hex>``: without the key, a hash tells
nothing. Every hash is keyed, not only those of weak-looking values: guessing which values are
weak is itself unreliable, and a mixed baseline would point at the weak ones.

The key must be shared by everyone whose scans compare against the same baseline (developers'
hooks and CI); keep it outside the repository, e.g. in AWS Secrets Manager, exported into the
environment. A baseline records its scheme; comparing it with hashes of the other scheme is an
error, not a silent "everything is new".
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from secretshift.errors import FatalError

HASH_KEY_ENV = "SECRETSHIFT_HASH_KEY"
SCHEME_SHA1 = "sha1"
SCHEME_HMAC = "hmac-sha256"
HMAC_PREFIX = SCHEME_HMAC + ":"
MIN_KEY_LENGTH = 16


def hash_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The hashing key from the environment, or None when hashes are plain SHA-1. Read once per
    run (by :func:`secretshift.config.load_config`) and passed down from there."""
    raw = (os.environ if environ is None else environ).get(HASH_KEY_ENV, "")
    if not raw:
        return None
    if len(raw) < MIN_KEY_LENGTH:
        # The key's length is not secret; its content is never printed.
        raise FatalError(f"{HASH_KEY_ENV} must be at least {MIN_KEY_LENGTH} characters (a random string)")
    return raw.encode("utf-8", "surrogateescape")


def hash_value(value: str, key: bytes | None) -> str:
    import hashlib  # here: OpenSSL's module costs the commit hook ~3 ms, and a clean commit hashes nothing
    import hmac

    data = value.encode("utf-8", "surrogateescape")
    if key is None:
        return hashlib.sha1(data).hexdigest()
    return HMAC_PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()


def scheme(key: bytes | None) -> str:
    """The scheme hashes are made with under ``key``."""
    return SCHEME_SHA1 if key is None else SCHEME_HMAC


def scheme_of(digest: str) -> str:
    return SCHEME_HMAC if digest.startswith(HMAC_PREFIX) else SCHEME_SHA1


def check_scheme(recorded: str, origin: str, key: bytes | None) -> None:
    """Refuse to compare a baseline's hashes with hashes of another scheme."""
    current = scheme(key)
    if recorded == current:
        return
    if recorded == SCHEME_HMAC:
        raise FatalError(f"{origin} holds keyed hashes ({SCHEME_HMAC}): set {HASH_KEY_ENV} to the team's key")
    raise FatalError(
        f"{origin} holds plain {recorded} hashes but {HASH_KEY_ENV} is set: "
        f"unset it, or re-create the baseline with the key"
    )
