"""A small on-disk cache of derived data (the compiled prefilter database).

Startup is what the commit hook pays on every commit; compiling the keyword database is part
of it, and a pure function of its inputs.
Entries are keyed by a hash of everything they derive from (the packs' bytes, the keywords, the
library version), so a changed pack is a different key, never a stale hit. Each file also
carries a hash of its own payload: a torn or corrupted file is a miss, not an error. Any
failure to read or write is a miss too; the cache can only make things faster.

Where: ``$SECRETSHIFT_CACHE_DIR``, else ``$XDG_CACHE_HOME/secretshift``, else
``~/.cache/secretshift``. ``SECRETSHIFT_CACHE_DIR=off`` turns it off.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from secretshift import __version__

try:  # the C module directly: `hashlib` pulls in OpenSSL, milliseconds the hook would pay
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - interpreters without it
    from hashlib import blake2b as _blake2b

FORMAT = 1
_MAX_ENTRIES = 32  # per kind: old keys are pruned so the folder cannot grow without bound


def cache_dir() -> Path | None:
    configured = os.environ.get("SECRETSHIFT_CACHE_DIR")
    if configured is not None:
        return None if configured in ("", "off", "0") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "secretshift"


def key_of(*parts: bytes | str) -> str:
    digest = _hash(f"secretshift {__version__} cache {FORMAT}".encode())
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return str(digest.hexdigest())


def load(kind: str, key: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        raw = (folder / f"{kind}-{key}.bin").read_bytes()
    except OSError:
        return None
    check, payload = raw[:32], raw[32:]
    if len(check) != 32 or _hash(payload).digest() != check:
        return None
    return payload


def store(kind: str, key: str, payload: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    from secretshift.errors import FatalError
    from secretshift.safe_write import PathOrigin, write_bytes

    target = folder / f"{kind}-{key}.bin"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Readers see the old file or the whole new one; a cache that cannot be written is no error.
        write_bytes(target, _hash(payload).digest() + payload, root=folder, origin=PathOrigin.NAMED_BY_USER)
        _prune(folder, kind)
    except (OSError, FatalError):
        pass


def _prune(folder: Path, kind: str) -> None:
    entries = sorted(folder.glob(f"{kind}-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_MAX_ENTRIES:]:
        old.unlink()


def _hash(data: bytes) -> Any:
    return _blake2b(data, digest_size=32)
