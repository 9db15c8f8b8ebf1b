"""Validation results remembered for a while, so a re-run does not call the providers again.

Entries are keyed by an HMAC of the credential (never the plaintext, never a plain hash a GPU
could reverse): with the project's ``SECRETSHIFT_HASH_KEY`` when set, else with a random key made
once per cache folder (mode 0600). The file holds verdicts, reasons and identities (account ids,
logins), never a secret. Errors (timeouts, rate limits) are not remembered: they say nothing
about the secret. ``SECRETSHIFT_CACHE_DIR=off`` turns the cache off.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from secretshift.hashing import hash_key
from secretshift.validate.http import Credential, Outcome

FILE = "validation-results.json"
KEY_FILE = "validation.key"
_MAX_ENTRIES = 10_000


class ResultCache:
    def __init__(self, folder: Path | None, ttl: float) -> None:
        self._folder = folder if ttl > 0 else None
        self._ttl = ttl
        self._entries: dict[str, dict[str, Any]] = self._read()
        self._key = self._hmac_key()
        self._dirty = False

    def key(self, validator: str, credential: Credential) -> str:
        parts = sorted(p for p in (credential.secret, credential.pair) if p is not None)
        message = "\0".join([validator, *parts]).encode("utf-8", "surrogateescape")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def get(self, key: str) -> Outcome | None:
        entry = self._entries.get(key)
        if entry is None or time.time() - float(entry.get("at", 0)) > self._ttl:
            return None
        try:
            identity = tuple((str(k), str(v)) for k, v in entry["identity"])
            return Outcome(entry["status"], str(entry["reason"]), identity)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, outcome: Outcome) -> None:
        if outcome.status == "error" or self._folder is None:
            return
        self._entries[key] = {"status": outcome.status, "reason": outcome.reason,
                              "identity": [list(i) for i in outcome.identity], "at": time.time()}
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self._folder is None:
            return
        now = time.time()
        live = {k: v for k, v in self._entries.items() if now - float(v.get("at", 0)) <= self._ttl}
        newest = dict(sorted(live.items(), key=lambda kv: float(kv[1].get("at", 0)))[-_MAX_ENTRIES:])
        _write_private(self._folder / FILE, json.dumps(newest, sort_keys=True).encode("utf-8"))

    def _read(self) -> dict[str, dict[str, Any]]:
        if self._folder is None:
            return {}
        try:
            raw = json.loads((self._folder / FILE).read_bytes())
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}

    def _hmac_key(self) -> bytes:
        project = hash_key()
        if project is not None:
            return project
        if self._folder is None:
            return secrets.token_bytes(32)  # nothing is stored: any key will do
        path = self._folder / KEY_FILE
        try:
            existing = path.read_bytes()
            if len(existing) == 32:
                return existing
        except OSError:
            pass
        fresh = secrets.token_bytes(32)
        _write_private(path, fresh)
        return fresh


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, mode 0600, never through a symlink; a failure only loses the cache."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)  # replaces a symlink itself, never writes through it
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
