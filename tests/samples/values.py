"""Fake secret values for the sample repositories, generated at run time (never literals in
the repository), each shaped like the real thing its file would hold."""
from __future__ import annotations

import base64
import random
import string

from tests.fakes import aws_access_key_id, aws_secret_access_key, github_token, private_key

_B62 = string.ascii_letters + string.digits


def _rng(label: str, seed: int) -> random.Random:
    return random.Random(f"sample:{label}:{seed}")


def password(label: str, seed: int = 1, length: int = 20) -> str:
    """A strong generated password (letters, digits, a few URL-safe symbols)."""
    rng = _rng(label, seed)
    body = [rng.choice(_B62) for _ in range(length - 3)]
    return "".join(body) + rng.choice("!#%") + rng.choice(string.digits) + rng.choice(string.ascii_uppercase)


def url_password(label: str, seed: int = 1, length: int = 22) -> str:
    """A password that may sit in a URL's userinfo unencoded (no `@:/#%?`)."""
    rng = _rng(label, seed)
    return "".join(rng.choice(_B62) for _ in range(length - 2)) + rng.choice("_-") + rng.choice(string.digits)


def django_secret_key(seed: int = 1) -> str:
    rng = _rng("django", seed)
    return "".join(rng.choice(string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)") for _ in range(50))


def stripe_secret_key(seed: int = 1) -> str:
    rng = _rng("stripe", seed)
    return "sk_live_" + "".join(rng.choice(_B62) for _ in range(24))


def sendgrid_key(seed: int = 1) -> str:
    rng = _rng("sendgrid", seed)
    part = lambda n: "".join(rng.choice(_B62 + "-_") for _ in range(n))  # noqa: E731
    return f"SG.{part(22)}.{part(43)}"


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


__all__ = [
    "aws_access_key_id", "aws_secret_access_key", "b64", "django_secret_key", "github_token",
    "password", "private_key", "sendgrid_key", "stripe_secret_key", "url_password",
]
