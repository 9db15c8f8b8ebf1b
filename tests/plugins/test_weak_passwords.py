"""Issue #19 items 5 and 7, from the user's side: weak passwords are reported (and say why),
numbered keys count, and a Helm chart's commented-out template lines are not passwords."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.cli import main


def _scan_json(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> list[dict[str, object]]:
    main(["scan", "--no-git", "--format", "json", *flags, str(root)])
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_weak_passwords_and_numbered_keys_are_reported_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "settings.py").write_text(
        'DEBUG = False\npassword = "Summer2024!"\nADMIN_PASSWORD = "P@ssw0rd123"\nsecret1 = "supersecret123"\n'
    )
    (tmp_path / ".env").write_text("DB_HOST=db\nDB_PASSWORD=hunter2\nDB_PASSWORD2=Winter2023#\n")
    found = {(f["path"], f["line"]): f for f in _scan_json(tmp_path, capsys)}
    assert set(found) == {("app/settings.py", 2), ("app/settings.py", 3), ("app/settings.py", 4), (".env", 2), (".env", 3)}
    for finding in found.values():
        assert finding["rule"] == "weak-password" and finding["confidence"] == "medium"
        assert "guess" in str(finding["description"])
    assert found[(".env", 3)]["key"] == "DB_PASSWORD2"
    assert found[("app/settings.py", 4)]["key"] == "secret1"


def test_the_hook_blocks_a_weak_password(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import git

    (git_repo / ".env").write_text("DB_PASSWORD=hunter2\n")
    git(git_repo, "add", ".env")
    monkeypatch.chdir(git_repo)
    assert main(["hook", ".env"]) == 1
    capsys.readouterr()


def test_placeholders_samples_and_commented_examples_stay_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "values.yaml").write_text(
        "mysql:\n  password: changeme\n  # - endpoint: mysql1.dns.local\n  #   user: user1\n  #   password: password1\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_login.py").write_text('password = "Summer2024!"\n')
    (tmp_path / "README.md").write_text("Set `DB_PASSWORD=hunter2` in your .env\n")
    assert _scan_json(tmp_path, capsys) == []


def test_helm_commented_template_under_secret_name_is_not_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "charts" / "stack"
    chart.mkdir(parents=True)
    (chart / "values.yaml").write_text(
        "extraManifests: []\n"
        "  # - |\n"
        "  #   apiVersion: v1\n"
        "  #   kind: Secret\n"
        "  #   metadata:\n"
        "  #     name: super-secret\n"
        "  #     labels:\n"
        "  #       {{- range $key, $value := .Values.commonLabels }}\n"
        "  #       {{ $key }}: {{ $value }}\n"
        "  #       {{- end }}\n"
        "  #   data:\n"
        "  #     plaintext: Zm9vYmFy\n"
        "grafana:\n"
        "  # super-secret: {{ .Values.grafana.adminPassword }}\n"
        "  adminUser: admin\n"
    )
    assert _scan_json(tmp_path, capsys) == []
