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
import marshal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secretshift.models import Rule

EXAMPLE_FIELDS = ("positives", "negatives")
# Bumped when what a record holds is derived differently from the same pack (Rule.word_start).
RECORDS_FORMAT = 2


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


def scanner_rules() -> list[Rule]:
    """The built-in rules without examples, as the scanner needs them. The cache holds them as
    records (``marshal``, the format of Python's own bytecode cache next to it), rebuilt without
    re-checking each rule: they were checked when cached."""
    from secretshift.models import Allowlist, Rule
    from secretshift.scanner import cache
    from secretshift.scanner.rules import rules_from_table

    packs = _packs()
    layout = ",".join((*Rule._fields, *Allowlist._fields))
    key = cache.key_of("rule records", str(RECORDS_FORMAT), layout, *(part for origin, data in packs for part in (origin, data)))
    cached = cache.load("packs", key)
    if cached is not None:
        rules = _rules_from_records(cached)
        if rules is not None:
            return rules
    rules = [rule for origin, table in parse_tables(examples=False) for rule in rules_from_table(table, origin, check=False)]
    at = Rule._fields.index("allowlist")  # marshal takes plain tuples only
    cache.store("packs", key, marshal.dumps(tuple((*rule[:at], tuple(rule.allowlist), *rule[at + 1 :]) for rule in rules)))
    return rules


def _rules_from_records(payload: bytes) -> list[Rule] | None:
    from secretshift.models import Allowlist, Rule

    try:
        rules = [Rule._make(record) for record in marshal.loads(payload)]
        return [rule._replace(allowlist=Allowlist._make(rule.allowlist)) for rule in rules]
    except (ValueError, TypeError, EOFError):  # a damaged or foreign entry: parse again
        return None


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
