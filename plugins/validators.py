"""Checksum validators: rules name one in `validator = "..."` to drop look-alikes.

A validator receives the secret text and returns True when it is well-formed.
"""
from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def github_crc32(token: str) -> bool:
    """GitHub's `ghp_`-style tokens end in 6 base62 chars encoding CRC32 of the 30 before them."""
    prefix, _, body = token.partition("_")
    if len(body) != 36:
        return False
    payload, checksum = body[:30], body[30:]
    return base62(zlib.crc32(payload.encode()), 6) == checksum


def npm_crc32(token: str) -> bool:
    """npm's `npm_` tokens follow the same scheme as GitHub's: 30 random + 6 base62 CRC32."""
    return github_crc32(token)


def jwt_structure(token: str) -> bool:
    """A JWT's first two segments are base64url JSON objects."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    for part in parts[:2]:
        try:
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            return False
        if not decoded.lstrip().startswith(b"{"):
            return False
    return True


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github_crc32": github_crc32,
    "npm_crc32": npm_crc32,
    "jwt_structure": jwt_structure,
}
