"""Fake secrets for tests, generated here so no real-looking literal sits in the repository."""
from __future__ import annotations

import random
import zlib

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def aws_key_id(seed: int) -> str:
    """An AWS access key id shape (`AKIA` + 16 base32 chars), random enough to pass entropy."""
    rng = random.Random(seed)
    return "AKIA" + "".join(rng.choice(_BASE32) for _ in range(16))


def github_token(seed: int) -> str:
    """A classic GitHub token shape with a valid CRC32 checksum (so validators accept it)."""
    rng = random.Random(seed)
    payload = "".join(rng.choice(_BASE62) for _ in range(30))
    number = zlib.crc32(payload.encode())
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return f"ghp_{payload}{digits.rjust(6, '0')}"
