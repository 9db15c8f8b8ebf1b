"""The built-in rule packs as the scanner needs them, parsed once per version of their bytes.

`tomllib` is pure Python: parsing ~150 KB of packs costs tens of milliseconds on every
commit-hook start. The scanner needs neither the rules' examples (most of those bytes) nor a
fresh parse, so the tables without examples are kept as JSON in the shared on-disk cache
(:mod:`secretshift.scanner.cache`), keyed by the packs' names and bytes. Keeping examples out also keeps
the example tokens out of the user's cache folder. Any problem with the cache falls back to
parsing: the cache only ever saves time.
"""
from __future__ import annotations

import json
from typing import Any

EXAMPLE_FIELDS = ("positives", "negatives")


def _packs() -> list[tuple[str, bytes]]:
    from secretshift.plugins import rule_pack_files

    return [(f"plugins/rules/{p.name}", p.read_bytes()) for p in rule_pack_files()]


def parse_tables(examples: bool) -> list[tuple[str, dict[str, Any]]]:
    """`(origin, parsed table)` of every built-in pack, in pack-file order, freshly parsed."""
    from secretshift.scanner.rules import load_toml

    tables = [(origin, load_toml(data.decode("utf-8"), origin)) for origin, data in _packs()]
    return tables if examples else [(origin, without_examples(t)) for origin, t in tables]


def without_examples(table: dict[str, Any]) -> dict[str, Any]:
    rules = [
        {k: v for k, v in rule.items() if k not in EXAMPLE_FIELDS} if isinstance(rule, dict) else rule
        for rule in table.get("rules", [])
    ]
    return {**table, "rules": rules}


def scanner_tables() -> list[tuple[str, dict[str, Any]]]:
    """Like ``parse_tables(examples=False)``, from the cache when the packs are unchanged."""
    from secretshift.scanner import cache

    packs = _packs()
    key = cache.key_of("rule packs", *(part for origin, data in packs for part in (origin, data)))
    cached = cache.load("packs", key)
    if cached is not None:
        tables = _decode(cached)
        if tables is not None:
            return tables
    tables = parse_tables(examples=False)
    cache.store("packs", key, json.dumps(tables, separators=(",", ":")).encode("utf-8"))
    return tables


def _decode(payload: bytes) -> list[tuple[str, dict[str, Any]]] | None:
    try:
        raw = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
        for item in raw
    ):
        return None
    return [(origin, table) for origin, table in raw]
