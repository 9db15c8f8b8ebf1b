"""Letters-only passwords (issue #14): `password = "Sunflowerfield"` is a chosen password; the
predicate keeps identifiers, placeholders and secret-naming words out. The generic detector
reports what it accepts at low confidence."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.cli import main
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


def test_the_generic_detector_reports_them_at_low_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "database.ini").write_text(
        "[production]\nhost = db.internal\nuser = orders\npassword = Sunflowerfield\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "forms.py").write_text(
        'class Login(Form):\n    password = "PasswordField"\n    widget = TextInput()\n', encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "setup.md").write_text("Set `password = Rosebudgarden` in your local file.\n", encoding="utf-8")
    main(["scan", "--no-git", "--format", "json", str(tmp_path)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(x["path"], x["line"], x["confidence"]) for x in findings] == [("config/database.ini", 4, "low")]
    # the gates (medium and up by default) let it through; a person running `scan` sees it
    assert main(["scan", "--no-git", "--min-confidence", "medium", "--format", "json", str(tmp_path)]) == 0
    capsys.readouterr()
