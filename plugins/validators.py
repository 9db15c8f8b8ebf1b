"""Checksum and structure validators: rules name one in `validator = "..."` to drop look-alikes.

A validator receives the secret text and returns True when it is well-formed. Each one checks
only what its provider documents (or what the token's own encoding makes certain), so that a
real token is never dropped: a checksum the provider defines, a base64 payload that must be
JSON, a binary structure that must parse to its end.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable
from typing import Any

from secretshift import lazy_re

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


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
    """npm's `npm_` tokens follow GitHub's format (npm's own announcement, September 2021):
    30 random characters, then the base62 CRC32 of those 30 in the last six."""
    return github_crc32(token)


def grafana_sa_crc32(token: str) -> bool:
    """Grafana service-account tokens are `glsa_<32 random>_<8 hex>`: the hex is the CRC32
    (IEEE) of `glsa_<32 random>`, its four bytes written least significant first."""
    key, sep, checksum = token.rpartition("_")
    if not sep or len(checksum) != 8:
        return False
    expected = zlib.crc32(key.encode()).to_bytes(4, "little").hex()
    return checksum.lower() == expected


def _bech32_polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for index, generator in enumerate(_BECH32_GENERATORS):
            if (top >> index) & 1:
                check ^= generator
    return check


def bech32_valid(text: str) -> bool:
    """BIP-173 bech32: one case only, `hrp` + `1` + data, whose last six symbols are a BCH
    checksum over the human-readable part and the data."""
    if text.lower() != text and text.upper() != text:
        return False
    text = text.lower()
    hrp, sep, data = text.rpartition("1")
    if not sep or not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32.index(c) for c in data]) == 1


def age_bech32(token: str) -> bool:
    """An age X25519 identity: bech32 with the `age-secret-key-` prefix, 32 bytes of key."""
    # 32 bytes = 52 five-bit symbols, plus the 6-symbol checksum.
    return token.upper().startswith("AGE-SECRET-KEY-1") and len(token) == 16 + 58 and bech32_valid(token)


def _b64decode(text: str) -> bytes | None:
    """Standard or URL-safe base64, padded or not."""
    text = text.rstrip("=")
    altchars = b"-_" if ("-" in text or "_" in text) else None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_object(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


# RFC 7519 section 4.1. Every token an issuer mints carries some of them (expiry, issuer,
# subject...); claims without any (`{"some": "payload"}`) are library documentation samples.
_REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})


def jwt_structure(token: str) -> bool:
    """A signed JWT: header and claims are base64url JSON objects, the header names an
    algorithm other than `none`, the claims hold at least one registered claim, and a
    signature follows."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[2]:
        return False
    header = _json_object(_b64decode(parts[0]))
    claims = _json_object(_b64decode(parts[1]))
    if header is None or claims is None or not _REGISTERED_CLAIMS.intersection(claims):
        return False
    algorithm = header.get("alg")
    return isinstance(algorithm, str) and algorithm.lower() != "none"


def _varint(data: bytes, pos: int) -> tuple[int, int] | None:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None


def _macaroon_v2(data: bytes) -> bool:
    """Parse a binary v2 macaroon to its end: version 2; sections of (type, varint length,
    bytes) fields, each closed by a 0 byte; then a 32-byte signature (field type 6)."""
    if not data or data[0] != 2:
        return False
    pos, sections = 1, 0
    while pos < len(data):
        field_type = data[pos]
        pos += 1
        if field_type == 0:  # end of a section; an empty section ends the caveats
            sections += 1
            if pos < len(data) and data[pos] == 0:
                pos += 1
                break
            continue
        if field_type not in (1, 2, 4, 6):
            return False
        parsed = _varint(data, pos)
        if parsed is None:
            return False
        length, pos = parsed
        pos += length
        if pos > len(data):
            return False
    else:
        return False
    if sections < 1 or pos >= len(data) or data[pos] != 6:
        return False
    parsed = _varint(data, pos + 1)
    return parsed is not None and parsed[0] == 32 and parsed[1] + 32 == len(data)


def pypi_macaroon(token: str) -> bool:
    """PyPI API tokens are `pypi-` + the base64url of a complete binary v2 macaroon, so a
    truncated or hand-made look-alike fails to parse."""
    if not token.startswith("pypi-"):
        return False
    data = _b64decode(token[len("pypi-") :])
    return data is not None and _macaroon_v2(data)


def grafana_cloud_token(token: str) -> bool:
    """Grafana Cloud access-policy tokens are `glc_` + base64 of a JSON object."""
    return _json_object(_b64decode(token.removeprefix("glc_"))) is not None


def sentry_org_token(token: str) -> bool:
    """Sentry organisation tokens: `sntrys_` + base64 JSON object (with `iat`) + `_` + secret."""
    payload, sep, secret = token.removeprefix("sntrys_").rpartition("_")
    claims = _json_object(_b64decode(payload)) if sep and secret else None
    return claims is not None and "iat" in claims


def onepassword_service_account(token: str) -> bool:
    """1Password service-account tokens: `ops_` + base64url of a JSON object."""
    return _json_object(_b64decode(token.removeprefix("ops_"))) is not None


def discord_bot_token(token: str) -> bool:
    """A Discord bot token's first segment is the bot's numeric id (a snowflake), base64."""
    first = token.split(".", 1)[0]
    raw = _b64decode(first)
    return raw is not None and raw.isdigit() and 15 <= len(raw) <= 20


_PEM_NOISE = lazy_re.compile(r"\\[nr]|[^A-Za-z0-9+/=]")


def pem_der_length(block: str) -> bool:
    """A PEM private key whose body is DER must hold as many bytes as its outer SEQUENCE
    declares: documentation samples cut a key short (`MIIEpQ...` then `-----END`), real keys
    never are. Formats whose body is not plain DER (OpenSSH, PGP, encrypted PEM with
    `Proc-Type` headers) are not judged."""
    header_end = block.find("-----", 5)
    footer = block.find("-----END")
    if header_end == -1 or footer == -1:
        return False
    header = block[:header_end]
    body = block[header_end + 5 : footer]
    if "OPENSSH" in header or "PGP" in header or ":" in body:
        return True
    # Drop JSON/code escapes (`\n`), quotes and indentation of keys pasted into source.
    raw = _b64decode(_PEM_NOISE.sub("", body))
    if raw is None or len(raw) < 2 or raw[0] != 0x30:
        return True
    size = raw[1]
    if size < 0x80:
        needed = 2 + size
    else:
        width = size & 0x7F
        if width == 0 or width > 3 or len(raw) < 2 + width:
            return False
        needed = 2 + width + int.from_bytes(raw[2 : 2 + width], "big")
    return len(raw) >= needed


# Passwords that documentation and tests put in URLs, compared after percent-decoding.
_URL_PLACEHOLDERS = frozenset(
    """pass passwd password pwd pw secret changeme change_me changeit example sample dummy test
    testing foo bar baz qux root admin user username guest postgres mysql redis mongo rabbitmq
    none null placeholder redacted x-oauth-basic tiger hunter2 letmein qwerty abc abcd abc123
    xyz s3cr3t hello world hello/world he//o p/ss pa/ss""".split()
)


def url_password(password: str) -> bool:
    """A URL's password, percent-decoded, is not a placeholder, a template or a mask."""
    from urllib.parse import unquote

    decoded = unquote(password)
    lowered = decoded.lower()
    if lowered in _URL_PLACEHOLDERS or len(set(lowered)) == 1:
        return False
    if decoded.isdigit() and len(decoded) < 6:  # `abc:123@`: a sample, not a password
        return False
    return not (lowered.startswith(("%", "${", "{{", "<", "[")) or "password" in lowered)


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github_crc32": github_crc32,
    "npm_crc32": npm_crc32,
    "grafana_sa_crc32": grafana_sa_crc32,
    "age_bech32": age_bech32,
    "jwt_structure": jwt_structure,
    "pypi_macaroon": pypi_macaroon,
    "grafana_cloud_token": grafana_cloud_token,
    "sentry_org_token": sentry_org_token,
    "onepassword_service_account": onepassword_service_account,
    "discord_bot_token": discord_bot_token,
    "pem_der_length": pem_der_length,
    "url_password": url_password,
}
