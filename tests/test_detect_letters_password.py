"""Letters-only passwords (issue #14): `password = "Sunflowerfield"` is a chosen password; the
predicate keeps identifiers, placeholders and secret-naming words out. (The generic detector
reports what it accepts at low confidence once it calls this predicate: see bench/RESULTS.md.)"""
from __future__ import annotations

import pytest

from secretshift.plugins import filters as f


@pytest.mark.parametrize("value", ["Sunflowerfield", "sunflowerfield", "Rosebudgarden", "Kangarooisland"])
def test_chosen_words_are_passwords(value: str) -> None:
    assert f.is_letters_only_password(value)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("PasswordField", "CamelCase: an identifier"),
        ("InputText", "CamelCase and short"),
        ("SUNFLOWERFIELD", "all capitals: a constant"),
        ("changemeplease", "a placeholder"),
        ("letmeinplease", "a breach-list word first"),
        ("Credentials", "names a secret instead of being one"),
        ("Passphrase", "names a secret instead of being one"),
        ("Administrator", "a role"),
        ("postgresql", "a service"),
        ("Testingonly", "a fixture word"),
        ("Sunflower", "shorter than ten letters"),
        ("Sunflower2024", "not letters only: the other rules judge it"),
    ],
)
def test_identifiers_and_placeholders_are_not(value: str, why: str) -> None:
    assert not f.is_letters_only_password(value), why
