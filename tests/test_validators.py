"""Each checksum/structure validator: well-formed tokens pass, look-alikes fail.

Every token here is fake: random bytes made for these tests (the age identities by a local
`age-keygen`, never used to encrypt anything). The bech32 cases are BIP-173's published vectors.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
import re2

from secretshift.plugins import validators as v
from secretshift.scanner.rules import builtin_rules
from secretshift.textutil import shannon_entropy

GITHUB = "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"
NPM = "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"
GLSA = "glsa_tSrJA7DNQjEkeBdjjTMjpQ4uWtMrayDZ_cd213bd4"
AGE_1 = "AGE-SECRET-KEY-1U68KRGA8C7VW2594XX26R3UPT7782YGGJTQHZAYAGHYS4DLWWMDS64LDSU"
AGE_2 = "AGE-SECRET-KEY-1D0JUW328PL5UU7Q7RZW8ESGJJ0XKKTRWE8LMT43GZJP76F6U4H7QVA6GM8"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzQyNTkwMSIsIm5hbWUiOiJjeSIsImlhdCI6MTcwMjMy"
    "OTY2NX0.-IuGIYQW5HARXF89slIzc3QOiX2Xqrgq45zwsuB-YrZ"
)
PYPI = (
    "pypi-AgEIcHlwaS5vcmcCOHsibm9uY2UiOiIyODRiZmM3Y2RmZjc2M2ZmMTAwMjQzNjJlZDU0MjcyNCIsInZlcnNpb24i"
    "OjF9AAIieyJwZXJtaXNzaW9ucyI6InVzZXIiLCJ2ZXJzaW9uIjoxfQAABiDf9OFc2egM_d69UZHAkgsM18gC8OkqIT7om4dXTpWTYw"
)
TEST_PYPI = (
    "pypi-AgENdGVzdC5weXBpLm9yZwI4eyJub25jZSI6IjQ0YjU4MGQ3YzM2YTUzNGM3YWYyNDAzMzcwMzY3YmE4IiwidmVy"
    "c2lvbiI6MX0AAiJ7InBlcm1pc3Npb25zIjoidXNlciIsInZlcnNpb24iOjF9AAAGIO23aMFlPIxf8DlczwEuXYvXA2dnnronmpnukeEiI_49"
)
GLC = (
    "glc_eyJvIjoiOTgxMDczIiwibiI6InN0YWNrLTg2MjI0OC1obS1yZWFkLXZmcnFhIiwiayI6ImN0RlFOY3VodFlKWkVO"
    "VFZlOFBLc3NrYyIsIm0iOnsiciI6InByb2QtdXMtZWFzdC0wIn19"
)
SENTRY = (
    "sntrys_eyJpYXQiOjE3MDAzMTg4MjUuMCwidXJsIjoiaHR0cHM6Ly9zZW50cnkuaW8iLCJyZWdpb25fdXJsIjoiaHR0cHM6"
    "Ly91cy5zZW50cnkuaW8iLCJvcmciOiJhY21lLXlqZXQifQ==_fWgjrt++Xrajv6mFDC4Mp7afyM5hTvslOIVvT4i2XT8"
)
DISCORD = "NzcyMDYxNjk5MTUyNzU0Njc0Ng.nW-MMy.fuxSNjjVEE5yQZOTf3tMBuTStK-dgB0mC2cRPc"
OPS = "ops_" + base64.urlsafe_b64encode(
    json.dumps({"signInAddress": "my.1password.com", "email": "ci@1passwordserviceaccounts.com"}).encode()
).decode().rstrip("=")


def _pem(label: str, der: bytes, newline: str = "\n") -> str:
    body = base64.b64encode(der).decode()
    lines = newline.join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----{newline}{lines}{newline}-----END {label}-----"


# Outer SEQUENCE headers with the length they declare; the rest is filler of that length.
RSA_DER = bytes.fromhex("308204a30201000282010100") + bytes(range(256)) * 4 + bytes(0x4A3 - 8 - 1024)
EC_DER = bytes.fromhex("30770201010420") + bytes(114)


def _flip(token: str, index: int = -1) -> str:
    """The same token with one character changed (a typo, or a made-up look-alike)."""
    chars = list(token)
    chars[index] = "B" if chars[index] != "B" else "C"
    return "".join(chars)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


CASES: list[tuple[str, Callable[[str], bool], str, bool]] = [
    ("github-valid", v.github_crc32, GITHUB, True),
    ("github-bad-checksum", v.github_crc32, _flip(GITHUB), False),
    ("github-bad-payload", v.github_crc32, _flip(GITHUB, 8), False),
    ("github-short", v.github_crc32, GITHUB[:-1], False),
    ("npm-valid", v.npm_crc32, NPM, True),
    ("npm-bad-checksum", v.npm_crc32, _flip(NPM), False),
    ("grafana-sa-valid", v.grafana_sa_crc32, GLSA, True),
    ("grafana-sa-bad-checksum", v.grafana_sa_crc32, _flip(GLSA), False),
    ("grafana-sa-bad-secret", v.grafana_sa_crc32, _flip(GLSA, 10), False),
    ("grafana-sa-no-checksum", v.grafana_sa_crc32, GLSA.rsplit("_", 1)[0], False),
    ("bip173-upper", v.bech32_valid, "A12UEL5L", True),
    ("bip173-lower", v.bech32_valid, "a12uel5l", True),
    ("bip173-long-hrp", v.bech32_valid,
     "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs", True),
    ("bip173-data", v.bech32_valid, "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", True),
    ("bip173-split", v.bech32_valid, "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", True),
    ("bip173-upper-hrp-checksum", v.bech32_valid, "A1G7SGD8", False),
    ("bip173-short-checksum", v.bech32_valid, "li1dgmt3", False),
    ("bech32-mixed-case", v.bech32_valid, "A12uEL5L", False),
    ("age-valid-1", v.age_bech32, AGE_1, True),
    ("age-valid-2", v.age_bech32, AGE_2, True),
    ("age-valid-lower", v.age_bech32, AGE_1.lower(), True),
    ("age-bad-checksum", v.age_bech32, AGE_1[:-1] + ("Q" if AGE_1[-1] != "Q" else "P"), False),
    ("age-typo", v.age_bech32, AGE_2[:30] + ("Q" if AGE_2[30] != "Q" else "P") + AGE_2[31:], False),
    ("age-truncated", v.age_bech32, AGE_1[:-1], False),
    ("jwt-valid", v.jwt_structure, JWT, True),
    ("jwt-alg-none", v.jwt_structure,
     _b64url(b'{"alg":"none"}') + "." + _b64url(b'{"sub":"1"}') + ".c2lnbmF0dXJlc2lnbmF0dXJl", False),
    ("jwt-no-signature", v.jwt_structure, JWT.rsplit(".", 1)[0] + ".", False),
    ("jwt-two-segments", v.jwt_structure, JWT.rsplit(".", 1)[0], False),
    ("jwt-header-not-json", v.jwt_structure, "eyJub3QganNvbg." + JWT.split(".", 1)[1], False),
    ("jwt-claims-array", v.jwt_structure, JWT.split(".")[0] + "." + _b64url(b"[1,2]") + ".sig", False),
    ("pypi-valid", v.pypi_macaroon, PYPI, True),
    ("testpypi-valid", v.pypi_macaroon, TEST_PYPI, True),
    ("pypi-truncated", v.pypi_macaroon, PYPI[:-12], False),
    ("pypi-extra-bytes", v.pypi_macaroon, PYPI + "AAAA", False),
    ("pypi-header-only", v.pypi_macaroon, "pypi-AgEIcHlwaS5vcmc" + "x" * 60, False),
    ("pypi-not-base64", v.pypi_macaroon, "pypi-AgEIcHlwaS5vcmc!!", False),
    ("grafana-cloud-valid", v.grafana_cloud_token, GLC, True),
    ("grafana-cloud-random", v.grafana_cloud_token, "glc_" + "Q2xhdWRlIGlzIG5vdCBKU09O", False),
    ("sentry-org-valid", v.sentry_org_token, SENTRY, True),
    ("sentry-org-no-iat", v.sentry_org_token,
     "sntrys_" + base64.b64encode(b'{"url":"https://sentry.io"}').decode() + "_" + "A" * 43, False),
    ("sentry-org-no-secret", v.sentry_org_token, SENTRY.rsplit("_", 1)[0], False),
    ("1password-valid", v.onepassword_service_account, OPS, True),
    ("1password-not-json", v.onepassword_service_account, "ops_eyJ" + "a" * 120, False),
    ("discord-valid", v.discord_bot_token, DISCORD, True),
    ("discord-id-not-numeric", v.discord_bot_token, _b64url(b"x2345678901234567") + DISCORD[DISCORD.index("."):], False),
    ("jwt-no-registered-claim", v.jwt_structure,
     JWT.split(".")[0] + "." + _b64url(b'{"some":"payload"}') + "." + JWT.split(".")[2], False),
    ("url-password-random", v.url_password, "q8Vr2mZt0LpX", True),
    ("url-password-encoded-random", v.url_password, "q8Vr%2Fm%40Zt0", True),
    ("url-password-placeholder", v.url_password, "tiger", False),
    ("url-password-encoded-placeholder", v.url_password, "he%2F%2Fo", False),
    ("url-password-printf", v.url_password, "%(password)s", False),
    ("url-password-mask", v.url_password, "*****", False),
    ("url-password-short-digits", v.url_password, "123", False),
    ("url-password-long-digits", v.url_password, "80417753", True),
    ("url-password-contains-password", v.url_password, "MyPassword1", False),
    ("pem-rsa-complete", v.pem_der_length, _pem("RSA PRIVATE KEY", RSA_DER), True),
    ("pem-ec-complete", v.pem_der_length, _pem("EC PRIVATE KEY", EC_DER), True),
    ("pem-json-escaped", v.pem_der_length, _pem("PRIVATE KEY", RSA_DER, newline="\\n"), True),
    ("pem-rsa-truncated", v.pem_der_length, _pem("RSA PRIVATE KEY", RSA_DER[:60]), False),
    ("pem-ec-truncated", v.pem_der_length, _pem("EC PRIVATE KEY", EC_DER[:-1]), False),
    ("pem-openssh-not-judged", v.pem_der_length, _pem("OPENSSH PRIVATE KEY", b"openssh-key-v1" + bytes(40)), True),
    ("pem-encrypted-not-judged", v.pem_der_length,
     "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\nAAAA\n-----END RSA PRIVATE KEY-----", True),
    ("pem-no-footer", v.pem_der_length, "-----BEGIN RSA PRIVATE KEY-----\nMIIE", False),
]


@pytest.mark.parametrize(("validator", "token", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validator(validator: Callable[[str], bool], token: str, expected: bool) -> None:
    assert validator(token) is expected


def test_every_validator_is_registered_and_tested() -> None:
    tested = {c[1] for c in CASES}
    assert set(v.VALIDATORS.values()) - tested == set()


def test_every_registered_validator_is_used_by_a_rule() -> None:
    used = {r.validator for r in builtin_rules() if r.validator}
    assert used == set(v.VALIDATORS)


def test_every_validated_rule_has_a_negative_only_its_validator_rejects() -> None:
    """Proves each checksum earns its keep: the regex (and entropy) accept the look-alike."""
    for rule in builtin_rules():
        if rule.validator is None:
            continue
        pattern = re2.compile(rule.regex)
        caught = []
        for example in rule.negatives:
            match = pattern.search(example.text)
            if match is None:
                continue
            value = match.group(rule.secret_group)
            if rule.min_entropy is not None and shannon_entropy(value) < rule.min_entropy:
                continue
            caught.append(not v.VALIDATORS[rule.validator](value))
        assert any(caught), f"{rule.id}: no negative example exercises validator {rule.validator}"
