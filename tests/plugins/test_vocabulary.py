"""Key names: secret-ish in every naming style, and the look-alikes that are not."""
from __future__ import annotations

import pytest

from secretshift.plugins.vocabulary import MEDIUM, NONE, STRONG, WEAK, key_strength


@pytest.mark.parametrize(
    ("key", "strength"),
    [
        ("DB_PASSWORD", STRONG), ("dbPassword", STRONG), ("db-password", STRONG), ("db.password", STRONG),
        ("dbpassword", STRONG), ("MasterUserPassword", STRONG), ("SMTP_PASS", STRONG), ("ftp_pwd", STRONG),
        ("client_secret", STRONG), ("SECRET_KEY_BASE", STRONG), ("aws_secret_access_key", STRONG),
        ("api_key", MEDIUM), ("apiKey", MEDIUM), ("x-api-key", MEDIUM), ("GITHUB_TOKEN", MEDIUM),
        ("refresh_token", MEDIUM), ("Authorization", MEDIUM), ("credentials", MEDIUM), ("auth", MEDIUM),
        ("signing_key", MEDIUM), ("DB_CONNECTION_STRING", MEDIUM), ("stripe_key", WEAK),
    ],
)
def test_secret_names(key: str, strength: int) -> None:
    assert key_strength(key) == strength


@pytest.mark.parametrize(
    "key",
    ["password_length", "token_url", "secretName", "auth_type", "passwordFile", "key_path", "access_key_id",
     "max_tokens", "tokenizer", "pad_token", "csrf_token", "next_token", "primary_key", "sort_key",
     "password_confirmation", "existingSecretPasswordKey", "secretKeyRef", "password_hash", "token_expiry",
     "secret_arn", "bypass", "compass"],
)
def test_not_secret_names(key: str) -> None:
    assert key_strength(key) == NONE
