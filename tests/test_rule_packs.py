"""The built-in packs as a whole: size, metadata every rule needs, and cheap prefilters."""
from __future__ import annotations

from secretshift.scanner.rules import builtin_rules

RULES = builtin_rules()
# Words that occur on a large share of all source lines: as a keyword they would make the
# exact regex run almost everywhere.
TOO_COMMON = {"key", "token", "secret", "password", "pass", "api", "auth", "http", "user", "sk-", "sk_"}


def test_builtin_packs_hold_at_least_80_rules() -> None:
    assert len(RULES) >= 80


def test_every_rule_names_provider_key_and_rotation() -> None:
    for rule in RULES:
        assert rule.provider, rule.id
        assert rule.key and rule.key == rule.key.lower() and " " not in rule.key, rule.id
        assert rule.rotation in {"manual", "lambda", "managed"}, rule.id


def test_keywords_are_distinctive_literals() -> None:
    for rule in RULES:
        for keyword in rule.keywords:
            assert keyword == keyword.lower(), (rule.id, keyword)
            assert len(keyword) >= 3 and keyword not in TOO_COMMON, (rule.id, keyword)

