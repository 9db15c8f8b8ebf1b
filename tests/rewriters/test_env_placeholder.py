from __future__ import annotations

import re

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.env_placeholder import EnvPlaceholderRewriter
from tests.rewriters.support import SETTINGS, parses_ini, parses_properties, parses_toml, ref_to, rewrite_twice

CASES = [
    pytest.param(
        "src/main/resources/application.properties",
        "# datasource\nspring.datasource.username=shop\nspring.datasource.password=prop-pa55word-27182\n",
        "spring.datasource.password",
        "# datasource\nspring.datasource.username=shop\nspring.datasource.password=${SPRING_DATASOURCE_PASSWORD}\n",
        parses_properties, id="spring-properties"),
    pytest.param(
        "conf/app.ini",
        "[database]\nhost = db\npassword = ini-pa55word-16180 ; legacy\n",
        "database.password",
        "[database]\nhost = db\n; password: in AWS Secrets Manager, secret \"shop/prod/config\", JSON key \"password\" "
        "(environment: DATABASE_PASSWORD)\npassword =  ; legacy\n",
        parses_ini, id="ini"),
    pytest.param(
        "config/settings.toml",
        '[smtp]\nuser = "mailer"\npassword = "toml-pa55word-14142"  # app password\n',
        "smtp.password",
        '[smtp]\nuser = "mailer"\n# password: in AWS Secrets Manager, secret "shop/prod/config", JSON key "password" '
        '(environment: SMTP_PASSWORD)\npassword = ""  # app password\n',
        parses_toml, id="toml"),
]


@pytest.mark.parametrize(("path", "text", "key_path", "expected", "parse"), CASES)
def test_value_becomes_a_placeholder_or_a_comment_naming_the_lookup(path: str, text: str, key_path: str, expected: str,
                                                  parse: object) -> None:
    literal = re.search(r"[a-z]+-pa55word-\d+", text).group(0)  # type: ignore[union-attr]
    ref = ref_to(text, literal, "shop/prod/config", key_path.rsplit(".", 1)[-1], path, key_path=key_path)
    result = rewrite_twice(EnvPlaceholderRewriter(), path, text, [ref])
    assert result.text == expected
    parse(result.text)  # type: ignore[operator]


def test_spring_note_mentions_the_secrets_manager_import() -> None:
    path, text = "application.properties", "db.password=prop-pa55word-27182\n"
    result = EnvPlaceholderRewriter().rewrite(path, text, [ref_to(text, "prop-pa55word-27182", "shop/x", "p", path)],
                                              SETTINGS)
    assert any("spring.config.import=aws-secretsmanager:shop/x" in note for note in result.notes)


@pytest.mark.parametrize("path", ["pyproject.toml", "app.yaml", "main.py"])
def test_leaves_other_files_alone(path: str) -> None:
    assert not EnvPlaceholderRewriter().applies_to(path, "")


def test_a_rewrite_that_would_break_toml_is_refused() -> None:
    # A bare (unquoted) value is not TOML to begin with; the placeholder cannot make it valid.
    text = "[smtp]\npassword = toml-bare-secret-123456\n"
    ref = ref_to(text, "toml-bare-secret-123456", "x", "password", "settings.toml")
    with pytest.raises(RewriteRefused, match="would not parse"):
        EnvPlaceholderRewriter().rewrite("settings.toml", text, [ref], SETTINGS)


def test_two_passwords_in_two_toml_tables_get_distinct_variables() -> None:
    text = '[database]\npassword = "toml-pa55word-11111"\n\n[broker]\npassword = "toml-pa55word-22222"\n'
    refs = [ref_to(text, v, "shop/prod/worker", "password", "worker.toml") for v in ("toml-pa55word-11111", "toml-pa55word-22222")]
    result = rewrite_twice(EnvPlaceholderRewriter(), "worker.toml", text, refs)
    assert "(environment: DATABASE_PASSWORD)" in result.text and "(environment: BROKER_PASSWORD)" in result.text
    assert "${" not in result.text
    parses_toml(result.text)
