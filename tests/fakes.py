"""Fake secrets for tests, generated here (never copied): each looks real to its rule."""
from __future__ import annotations

import base64
import random
import string
import zlib

from secretshift.plugins.validators import base62

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B62 = string.ascii_letters + string.digits


def aws_access_key_id(seed: int) -> str:
    """An AWS access key id shape (`AKIA` + 16 base32 chars), random enough to pass entropy."""
    rng = random.Random(f"akid{seed}")
    return "AKIA" + "".join(rng.choice(_B32) for _ in range(16))


aws_key_id = aws_access_key_id


def aws_secret_access_key(seed: int) -> str:
    rng = random.Random(f"sak{seed}")
    return "".join(rng.choice(_B62 + "/+") for _ in range(40))


def github_token(seed: int) -> str:
    """A classic GitHub token shape with a valid CRC32 checksum (so validators accept it)."""
    rng = random.Random(f"ghp{seed}")
    payload = "".join(rng.choice(_B62) for _ in range(30))
    return f"ghp_{payload}{base62(zlib.crc32(payload.encode()), 6)}"


def aws_secret(seed: int) -> str:
    return aws_secret_access_key(seed + 1000)


def private_key(seed: int, lines: int = 6) -> str:
    rng = random.Random(seed + 2000)
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(48 * lines))).decode()
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *rows, "-----END RSA PRIVATE KEY-----"])
