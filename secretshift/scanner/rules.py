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


# `(?:^|[^...])` at the very start of a regex: what may come before a match.
_LEADING_BOUNDARY = "(?:^|[^"
_GROUP_OPENERS = ("(?P<", "(?:", "(?i)", "(?i:")
_QUANTIFIERS = "?*+{"


def word_start_keywords(regex: str, keywords: Iterable[str]) -> tuple[str, ...]:
    """The keywords that can only be hit at the start of a word for this regex to match: it
    begins with a boundary that refuses every letter and digit (`(?:^|[^0-9A-Za-z_-])`), has no
    top-level alternative, and its next literal text starts with the keyword. Such a keyword
    inside a word (`alchemy` in "sqlalchemy", `cio` in "precision") cannot start a match, so the
    prefilter does not report it there. Anything less plain is left alone (every hit counts)."""
    if not regex.startswith(_LEADING_BOUNDARY):
        return ()
    end = regex.find("])", len(_LEADING_BOUNDARY))
    refused = regex[len(_LEADING_BOUNDARY) : end]
    if end == -1 or "\\" in refused or not all(part in refused for part in ("0-9", "A-Z", "a-z")):
        return ()
    rest = regex[end + 2 :]
    if _top_level_alternative(rest):
        return ()
    literal = _leading_literal(rest).lower()
    return tuple(k for k in keywords if k and literal.startswith(k.lower()))


def _leading_literal(text: str) -> str:
    """The literal characters a regex fragment starts with, after opening groups."""
    at = 0
    while True:
        opener = next((o for o in _GROUP_OPENERS if text.startswith(o, at)), None)
        if opener is None:
            break
        at += len(opener)
        if opener == "(?P<":
            close = text.find(">", at)
            if close == -1:
                return ""
            at = close + 1
    out: list[str] = []
    while at < len(text):
        char = text[at]
        step = 1
        if char == "\\" and at + 1 < len(text) and not text[at + 1].isalnum():
            char, step = text[at + 1], 2  # an escaped punctuation mark stands for itself
        elif not (char.isalnum() or char in "_-"):
            break
        if at + step < len(text) and text[at + step] in _QUANTIFIERS:
            break  # `ab?` promises only `a`
        out.append(char)
        at += step
    return "".join(out)


def _top_level_alternative(text: str) -> bool:
    depth = 0
    at = 0
    in_class = False
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        at += 1
    return False


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
