"""Fake secrets made at test time (never literals in the repository, so our own hook stays quiet)."""
from __future__ import annotations

import base64
import random
import string

_BASE32 = string.ascii_uppercase + "234567"


def aws_key_id(seed: int) -> str:
    rng = random.Random(seed)
    return "AKIA" + "".join(rng.choice(_BASE32) for _ in range(16))


def aws_secret(seed: int) -> str:
    rng = random.Random(seed + 1000)
    return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))


def private_key(seed: int, lines: int = 6) -> str:
    rng = random.Random(seed + 2000)
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(48 * lines))).decode()
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *rows, "-----END RSA PRIVATE KEY-----"])
