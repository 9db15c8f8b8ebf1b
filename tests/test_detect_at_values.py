"""Values that start with `@` (issue #14): a password may begin with it, so a leading `@` alone
no longer marks a reference; annotations, variables, npm scopes, mail domains and file
arguments still do."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.plugins import filters as f

# Built here, never written as one literal: the repository's own scan must stay clean.
_AT_SYMBOLS = "@" + "Xk9!" + "mQ2#vL"
_AT_LEET = "@" + "dm1n_" + "Pr0d2024"


def _scan(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(["scan", "--no-git", "--format", "json", str(root)])
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_passwords_starting_with_at_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "database.yml").write_text(
        "production:\n"
        "  adapter: postgresql\n"
        "  host: db.internal\n"
        "  username: app\n"
        f'  password: "{_AT_SYMBOLS}"\n'
        "  pool: 5\n"
    )
    (tmp_path / "settings.py").write_text(
        "import os\n\n"
        'DB_HOST = os.environ.get("DB_HOST", "localhost")\n'
        f"db_password = '{_AT_LEET}'\n"
        "DEBUG = False\n"
    )
    found = {(x["path"], x["line"]): x for x in _scan(tmp_path, capsys)}
    assert set(found) == {("config/database.yml", 5), ("settings.py", 4)}
    assert found[("config/database.yml", 5)]["key"] == "password"
    assert found[("settings.py", 4)]["key"] == "db_password"


def test_references_starting_with_at_stay_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "DbConfig.java").write_text(
        "public class DbConfig {\n"
        '    @Value("${db.password}")\n'
        "    private String password;\n"
        "}\n"
    )
    (tmp_path / "proc.sql").write_text(
        "DECLARE @password NVARCHAR(128);\n"
        "EXEC sp_addlogin @loginame = 'svc', @passwd = @password;\n"
        "SET @db_password = @@SERVERNAME;\n"
    )
    (tmp_path / "appsettings.json").write_text(
        '{\n  "ConnectionStrings": {\n'
        '    "DbPassword": "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"\n'
        "  }\n}\n"
    )
    (tmp_path / "deploy.sh").write_text(
        "#!/bin/sh\n"
        "curl -X POST https://api.internal/login --data-binary @credentials.json\n"
        "PASSWORD=@/run/secrets/db_password\n"
    )
    (tmp_path / "View.cshtml").write_text('<input type="password" value="@Model.Password" />\n')
    (tmp_path / "deploy.ps1").write_text('$password = @{ Name = "svc"; Value = $env:DB_PASS }\n')
    (tmp_path / "package.json").write_text('{\n  "config": {\n    "token": "@acme/release-token@2.1.0"\n  }\n}\n')
    (tmp_path / "users.yaml").write_text("admin:\n  password_reset_from: '@example.com'\n")
    assert _scan(tmp_path, capsys) == []


@pytest.mark.parametrize(
    "value",
    ["@Value(\"x\")", "@Model.Password", "@db_pass", "@p1", "@@IDENTITY", "@{Name='x'}", "@/run/secrets/pw",
     "@creds.json", "@babel/core", "@types/node@20.1.0", "@example.com", "@env:DB_PASSWORD", "@"],
)
def test_at_references(value: str) -> None:
    assert f.is_reference(value)


@pytest.mark.parametrize("value", [_AT_SYMBOLS, _AT_LEET, "@" + "9fQ2" + "wLz8xR"])
def test_at_passwords_are_not_references(value: str) -> None:
    assert not f.is_reference(value)
