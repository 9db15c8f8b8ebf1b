"""The scanner's pack cache: same rules as a fresh parse, no examples on disk, never a failure."""
from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.plugins import rule_pack_files
from secretshift.scanner.rules import builtin_rules, load_toml, rules_from_table


def _fresh_without_examples() -> list[object]:

    rules = []
    for pack in rule_pack_files():
        origin = f"plugins/rules/{pack.name}"
        rules.extend(rules_from_table(load_toml(pack.read_text("utf-8"), origin), origin, check=False))
    return [r._replace(positives=(), negatives=()) for r in rules]


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("packs-*.bin"))


def test_cache_is_written_then_read_and_matches_a_fresh_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path))
    first = builtin_rules(examples=False)
    (entry,) = _entries(tmp_path)
    stamp = entry.stat().st_mtime_ns
    second = builtin_rules(examples=False)
    assert entry.stat().st_mtime_ns == stamp  # read, not rewritten
    assert first == second == _fresh_without_examples()


def test_cache_holds_no_example_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path))
    builtin_rules(examples=False)
    (entry,) = _entries(tmp_path)
    payload = entry.read_bytes()
    examples = [ex.text for rule in builtin_rules(examples=True) for ex in rule.positives]
    assert examples and not [text for text in examples if text.encode() in payload]


def test_damaged_cache_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path))
    builtin_rules(examples=False)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-10] + b"garbage!!!")
    assert builtin_rules(examples=False) == _fresh_without_examples()


def test_unwritable_cache_location_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(blocker / "cache"))  # a directory under a file
    assert builtin_rules(examples=False) == _fresh_without_examples()


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", "off")
    assert builtin_rules(examples=False) == _fresh_without_examples()
