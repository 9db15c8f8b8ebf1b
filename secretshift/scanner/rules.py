"""Rule packs: TOML files of declarative rules, loaded into frozen :class:`Rule` values.

Pack format (one file per provider family, ``plugins/rules/*.toml``)::

    provider = "GitHub"

    [[rules]]
    id = "github-pat-classic"
    description = "GitHub classic personal access token"
    keywords = ["ghp_"]
    regex = '''(?P<secret>ghp_[0-9A-Za-z]{36})'''
    validator = "github_crc32"          # optional, see plugins/validators.py
    min_entropy = 3.0                   # optional
    [rules.allowlist]                   # optional
    stopwords = ["example"]
    [[rules.positives]]
    text = "token = ghp_..."
    [[rules.negatives]]
    text = "..."
    reason = "why this must not match"
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from secretshift.errors import FatalError
from secretshift.models import CONFIDENCE_LEVELS, Allowlist, Example, Rule

_RULE_KEYS = {
    "id", "description", "regex", "keywords", "secret_group", "min_entropy", "validator",
    "allowlist", "window_before", "window_after", "multiline", "key", "rotation", "positives",
    "negatives", "provider", "confidence", "validation",
}
_ROTATIONS = {"manual", "lambda", "managed"}


def load_toml(text: str, origin: str) -> dict[str, Any]:
    # Imported here: with the rule packs cached, a scan often parses no TOML at all.
    if sys.version_info >= (3, 11):
        import tomllib  # novermin (3.11+ branch; tomli below)
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(text)
        return document
    except tomllib.TOMLDecodeError as exc:
        raise FatalError(f"{origin}: invalid TOML: {exc}") from None


def rules_from_table(table: Mapping[str, Any], origin: str, check: bool = True) -> list[Rule]:
    """Rules of one pack. ``check`` compiles each regex now (user rules); the built-in packs
    are checked by the test suite instead, so the commit hook does not pay for it."""
    provider = table.get("provider", "")
    raw_rules = table.get("rules", [])
    if not isinstance(raw_rules, list):
        raise FatalError(f"{origin}: `rules` must be an array of tables ([[rules]])")
    if check and any(isinstance(raw, dict) and "validation" in raw for raw in raw_rules):
        # User rules are the checked ones. A validator sends the secret somewhere: only the
        # reviewed built-in packs may say where (secretshift.validate reads only those).
        raise FatalError(f"{origin}: `validation` is only allowed in secretshift's built-in rule packs")
    family = str(table.get("family", provider))
    rules = [_rule(raw, provider, origin, family) for raw in raw_rules]
    if check:
        for rule in rules:
            check_rule(rule)
    return rules


def _examples(raw: Any, origin: str, what: str) -> tuple[Example, ...]:
    if not isinstance(raw, list):
        raise FatalError(f"{origin}: `{what}` must be an array")
    out = []
    for item in raw:
        if isinstance(item, str):
            out.append(Example(text=item))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            out.append(
                Example(
                    text=item["text"],
                    reason=str(item.get("reason", "")),
                    secret=item.get("secret"),
                    path=str(item.get("path", "example.txt")),
                )
            )
        else:
            raise FatalError(f"{origin}: each of `{what}` needs a `text` string")
    return tuple(out)


def _strings(raw: Any, origin: str, what: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise FatalError(f"{origin}: `{what}` must be an array of strings")
    return tuple(raw)


def _rule(raw: Any, provider: str, origin: str, family: str = "") -> Rule:
    if not isinstance(raw, dict):
        raise FatalError(f"{origin}: each rule must be a table")
    rule_id = raw.get("id")
    where = f"{origin}: rule {rule_id!r}"
    if not isinstance(rule_id, str) or not rule_id:
        raise FatalError(f"{origin}: a rule is missing its `id`")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise FatalError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("description", "regex"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise FatalError(f"{where}: `{required}` must be a non-empty string")
    keywords = _strings(raw.get("keywords"), where, "keywords")
    if not keywords:
        raise FatalError(f"{where}: `keywords` must list at least one literal (the prefilter)")
    allow_raw = raw.get("allowlist", {})
    if not isinstance(allow_raw, dict):
        raise FatalError(f"{where}: `allowlist` must be a table")
    allowlist = Allowlist(
        stopwords=tuple(s.lower() for s in _strings(allow_raw.get("stopwords"), where, "stopwords")),
        regexes=_strings(allow_raw.get("regexes"), where, "allowlist.regexes"),
        paths=_strings(allow_raw.get("paths"), where, "allowlist.paths"),
    )
    rotation = raw.get("rotation", "manual")
    if rotation not in _ROTATIONS:
        raise FatalError(f"{where}: `rotation` must be one of {', '.join(sorted(_ROTATIONS))}")
    confidence = raw.get("confidence", _inferred_confidence(raw))
    if confidence not in CONFIDENCE_LEVELS:
        raise FatalError(f"{where}: `confidence` must be one of {', '.join(CONFIDENCE_LEVELS)}")
    rule = Rule(
        id=rule_id,
        description=raw["description"],
        regex=raw["regex"],
        keywords=tuple(k.lower() for k in keywords),
        provider=str(raw.get("provider", provider)),
        secret_group=str(raw.get("secret_group", "secret")),
        min_entropy=float(raw["min_entropy"]) if "min_entropy" in raw else None,
        validator=raw.get("validator"),
        allowlist=allowlist,
        window_before=int(raw.get("window_before", 256)),
        window_after=int(raw.get("window_after", 512)),
        multiline=bool(raw.get("multiline", False)),
        key=raw.get("key"),
        rotation=rotation,
        positives=_examples(raw.get("positives", []), where, "positives"),
        negatives=_examples(raw.get("negatives", []), where, "negatives"),
        source=origin,
        confidence=confidence,
        family=family,
        word_start=word_start_keywords(raw["regex"], keywords),
    )
    return rule


def word_start_keywords(regex: str, keywords: Iterable[str]) -> tuple[str, ...]:
    """The keywords that can only be hit at the start of a word for this regex to match: it
    begins with a boundary that refuses every ASCII letter and digit (`(?:^|[^0-9A-Za-z_-])`),
    and the literal text right after it starts with the keyword. Such a keyword inside a word
    (`alchemy` in "sqlalchemy", `cio` in "precision") cannot start a match, so the prefilter does
    not report it there. Read with Python's regex parser; anything less plain (a top-level
    alternative, an optional first character, RE2-only syntax) is left alone: every hit counts."""
    from secretshift.scanner.regex import python_regex_parser

    parser, sre = python_regex_parser()
    try:
        tree = list(parser.parse(regex))
    except Exception:  # RE2-only syntax: not read, not bounded
        return ()
    if len(tree) < 2 or not _refuses_word_characters(tree[0], sre):
        return ()
    literal = _leading_literal(tree[1:], sre)[0].lower()
    return tuple(k.lower() for k in keywords if k and literal.startswith(k.lower()))  # as the prefilter has them


def _refuses_word_characters(item: Any, sre: Any) -> bool:
    """Is ``item`` the group `(?:^|[^...])` whose class refuses every ASCII letter and digit?"""
    op, av = item
    if op is sre.SUBPATTERN and len(av[-1]) == 1:  # a capturing group; `(?:...)` is flattened
        op, av = av[-1][0]
    if op is not sre.BRANCH:
        return False
    alternatives = av[1]
    if len(alternatives) != 2 or list(alternatives[0]) != [(sre.AT, sre.AT_BEGINNING)]:
        return False
    second = list(alternatives[1])
    if len(second) != 1 or second[0][0] is not sre.IN or second[0][1][:1] != [(sre.NEGATE, None)]:
        return False
    refused: set[int] = set()
    for kind, value in second[0][1][1:]:
        if kind is sre.LITERAL:
            refused.add(value)
        elif kind is sre.RANGE:
            refused.update(range(value[0], value[1] + 1))
    from secretshift.scanner.prefilter import WORD_BYTES

    return WORD_BYTES <= refused


def _leading_literal(items: Iterable[Any], sre: Any) -> tuple[str, bool]:
    """The literal text a parsed sequence starts with, through groups; and whether the whole
    sequence was literal (so the text goes on after it)."""
    out = ""
    for op, av in items:
        if op is sre.LITERAL:
            out += chr(av)
        elif op is sre.SUBPATTERN:
            text, whole = _leading_literal(av[-1], sre)
            out += text
            if not whole:
                return out, False
        else:
            return out, False
    return out, True


def _inferred_confidence(raw: Mapping[str, Any]) -> str:
    # A rule whose regex starts case-insensitively reads a provider's name before the value
    # (`DATADOG_API_KEY=...`): the value's shape alone is not distinctive, hence medium.
    if raw.get("validator"):
        return "high"
    return "medium" if str(raw.get("regex", "")).startswith("(?i") else "high"


def check_rule(rule: Rule) -> None:
    """Compile-time checks: linear-time regex, named secret group, known validator."""
    from secretshift.scanner.regex import compile_linear  # local: keeps `rules` importable cheaply

    where = f"{rule.source}: rule {rule.id!r}"
    compiled = compile_linear(rule.regex, where)
    if rule.secret_group not in compiled.group_names:
        raise FatalError(f"{where}: regex has no named group (?P<{rule.secret_group}>...)")
    if rule.validator is not None:
        from secretshift.plugins.validators import VALIDATORS

        if rule.validator not in VALIDATORS:
            raise FatalError(f"{where}: unknown validator {rule.validator!r}")


def builtin_rules(examples: bool = True) -> list[Rule]:
    """The built-in pack rules. The scanner asks for them without examples, which comes from
    a cache; tests and `secretshift rules` get a fresh parse with every example."""
    from secretshift.scanner.pack_cache import parse_tables, scanner_rules

    if not examples:
        return scanner_rules()
    rules: list[Rule] = []
    for origin, table in parse_tables(examples=True):
        rules.extend(rules_from_table(table, origin, check=False))
    return rules


def detector_rules() -> list[Rule]:
    from secretshift.plugins import detector_factories

    return [rule for factory in detector_factories().values() for rule in factory().rules]


def unique(rules: Iterable[Rule]) -> list[Rule]:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            raise FatalError(f"duplicate rule id {rule.id!r} ({seen[rule.id].source} and {rule.source})")
        seen[rule.id] = rule
    return list(seen.values())
