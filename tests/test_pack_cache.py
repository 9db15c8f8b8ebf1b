"""The parsed-pack cache: same rules as a fresh parse, and never a reason to fail."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from secretshift import pack_cache
from secretshift.plugins import rule_pack_files
from secretshift.rules import builtin_rules, load_toml, rules_from_table


def _fresh() -> list[object]:
    rules = []
    for pack in rule_pack_files():
        origin = f"plugins/rules/{pack.name}"
        rules.extend(rules_from_table(load_toml(pack.read_text("utf-8"), origin), origin, check=False))
    return rules


def test_cache_is_written_then_read_and_matches_a_fresh_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(tmp_path))
    first = builtin_rules()
    (cache_file,) = tmp_path.glob("packs-*.json")
    stamp = cache_file.stat().st_mtime_ns
    second = builtin_rules()
    assert cache_file.stat().st_mtime_ns == stamp  # read, not rewritten
    assert first == second == _fresh()


def test_damaged_cache_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(tmp_path))
    builtin_rules()
    (cache_file,) = tmp_path.glob("packs-*.json")
    cache_file.write_text('{"not": "a list of packs"', encoding="utf-8")
    assert builtin_rules() == _fresh()
    assert cache_file.read_text(encoding="utf-8").startswith("[[")


def test_caches_unused_for_a_week_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(tmp_path))
    old, recent = tmp_path / "packs-0000.json", tmp_path / "packs-1111.json"
    for path in (old, recent):
        path.write_text("[]", encoding="utf-8")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    builtin_rules()
    assert not old.exists()
    assert recent.exists()  # another checkout's packs, still in use
    assert len(list(tmp_path.glob("packs-*.json"))) == 2


def test_unwritable_cache_location_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(blocker / "cache"))  # a directory under a file
    assert builtin_rules() == _fresh()
