"""Fake secrets for the reliability suites, generated here (seeded, so runs are repeatable).

Each generator returns a value the built-in rules must report: the GitHub token carries a valid
CRC32 tail, the AWS key id has entropy. None of them was ever a real credential.
"""
from __future__ import annotations

import random
import string
import zlib

from secretshift.plugins.validators import base62

_ALNUM = string.ascii_letters + string.digits


def github_token(seed: int, prefix: str = "ghp_") -> str:
    rnd = random.Random(f"gh-{seed}")
    body = "".join(rnd.choice(_ALNUM) for _ in range(30))
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def aws_key_id(seed: int) -> str:
    rnd = random.Random(f"akia-{seed}")
    return "AKIA" + "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def aws_secret_key(seed: int) -> str:
    rnd = random.Random(f"aws-secret-{seed}")
    return "".join(rnd.choice(_ALNUM + "/+") for _ in range(40))


def env_line(seed: int) -> tuple[str, str]:
    """A `.env` line holding a token, and the token."""
    token = github_token(seed)
    return f"GITHUB_TOKEN={token}\n", token
