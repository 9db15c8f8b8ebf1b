"""Bring your gitleaks (or betterleaks) config: its `.toml` read as secretshift rules.

Go's regexp is RE2, as is ours, so a rule's regex carries over unchanged; only the secret's
capture group is renamed to ``(?P<secret>...)``. What maps:

==========================  ===========================================================
gitleaks                    secretshift
==========================  ===========================================================
``id``, ``description``     the rule's id and description
``regex``, ``secretGroup``  the regex, with group N (default: the first group, else the
                            whole match) as the secret
``keywords``                the prefilter keywords (derived from the regex's literal
                            text when absent; an error when it has none)
``entropy``                 ``min_entropy``
``path``                    only files whose path matches
``[[rules.allowlists]]``    the rule's allowlist (``regexes`` on the secret, ``paths``,
/ ``[rules.allowlist]``     ``stopwords``; condition OR)
``[extend] useDefault``     keep the built-in rules (``false``: only this file's rules)
``[extend] disabledRules``  disabled rule ids (ids of gitleaks' own defaults that
                            secretshift has no rule of are left out)
top-level ``[allowlist]``   the global allowlist
==========================  ===========================================================

Anything else (a path-only rule, ``regexTarget = "line"``, ``condition = "AND"``, commit
allowlists, ``[[rules.required]]`` composites, ``[extend] path``) is an error that names the rule
and the field: a migrating user must not lose a rule silently.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secretshift.errors import FatalError
from secretshift.models import Allowlist, Rule

_GITLEAKS_ONLY = {"secretGroup", "entropy", "allowlists", "path", "tags", "required", "skipReport"}
_RULE_FIELDS = {"id", "description", "regex", "secretGroup", "keywords", "entropy", "path", "allowlist",
                "allowlists", "tags"}
_ALLOWLIST_FIELDS = {"description", "condition", "regexTarget", "regexes", "paths", "stopwords"}


@dataclass(frozen=True)
class ImportedConfig:
    rules: tuple[Rule, ...]
    use_default: bool
    disabled: tuple[str, ...]
    allowlist: Allowlist


def is_gitleaks_config(document: Mapping[str, Any]) -> bool:
    """A gitleaks/betterleaks config rather than a secretshift rule pack."""
    if "extend" in document or "title" in document or "allowlists" in document:
        return True
    rules = document.get("rules")
    if not isinstance(rules, list):
        return False
    return any(isinstance(r, dict) and (_GITLEAKS_ONLY & set(r)) for r in rules)


def import_gitleaks(document: Mapping[str, Any], origin: str) -> ImportedConfig:
    extend = document.get("extend", {})
    if not isinstance(extend, dict):
        raise FatalError(f"{origin}: [extend] must be a table")
    if "path" in extend:
        raise FatalError(f"{origin}: [extend] path is not supported: list that file in rule_files too")
    use_default = bool(extend.get("useDefault", not extend))
    disabled = extend.get("disabledRules", [])
    if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
        raise FatalError(f"{origin}: [extend] disabledRules must be an array of rule ids")
    raw_rules = document.get("rules", [])
    if not isinstance(raw_rules, list):
        raise FatalError(f"{origin}: `rules` must be an array of tables ([[rules]])")
    rules = tuple(_rule(raw, origin) for raw in raw_rules)
    global_allow = [document["allowlist"]] if isinstance(document.get("allowlist"), dict) else []
    global_allow += [a for a in document.get("allowlists", []) if isinstance(a, dict)]
    allowlist = _merge(origin, "the global allowlist", global_allow)
    return ImportedConfig(rules, use_default, tuple(disabled), allowlist)


def _rule(raw: Any, origin: str) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise FatalError(f"{origin}: each [[rules]] needs an `id`")
    rule_id = raw["id"]
    where = f"{origin}: gitleaks rule {rule_id!r}"
    unknown = set(raw) - _RULE_FIELDS
    if unknown:
        raise FatalError(f"{where}: cannot be imported: unsupported field(s) {', '.join(sorted(unknown))}")
    regex = raw.get("regex")
    if not isinstance(regex, str) or not regex:
        raise FatalError(f"{where}: cannot be imported: a rule without `regex` (path-only rules match files "
                         "by name, which secretshift does not report)")
    group = raw.get("secretGroup", 0)
    if not isinstance(group, int) or group < 0:
        raise FatalError(f"{where}: `secretGroup` must be a non-negative integer")
    pattern = with_secret_group(regex, group, where)
    keywords = raw.get("keywords") or _literal_keywords(regex)
    if not keywords:
        raise FatalError(f"{where}: cannot be imported: no `keywords` and no literal text (3+ characters) in "
                         "the regex to prefilter on; add `keywords = [...]` to the rule")
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise FatalError(f"{where}: `keywords` must be an array of strings")
    allows = raw.get("allowlists", [])
    if isinstance(raw.get("allowlist"), dict):
        allows = [raw["allowlist"], *allows]
    if not isinstance(allows, list):
        raise FatalError(f"{where}: `allowlists` must be an array of tables ([[rules.allowlists]])")
    path = raw.get("path")
    if path is not None and not isinstance(path, str):
        raise FatalError(f"{where}: `path` must be a regex string")
    entropy = raw.get("entropy")
    if entropy is not None and not isinstance(entropy, (int, float)):
        raise FatalError(f"{where}: `entropy` must be a number")
    rule = Rule(
        id=rule_id,
        description=str(raw.get("description") or rule_id),
        regex=pattern,
        keywords=tuple(k.lower() for k in keywords),
        provider="gitleaks config",
        min_entropy=float(entropy) if entropy is not None else None,
        allowlist=_merge(origin, f"rule {rule_id!r}", allows),
        paths=(path,) if path else (),
        confidence="medium",
        family="Imported (gitleaks)",
        source=origin,
    )
    from secretshift.scanner.rules import check_rule

    check_rule(rule)  # compiles the regex: a Go-only construct is an error naming this rule
    return rule


def _merge(origin: str, owner: str, tables: list[Any]) -> Allowlist:
    regexes: list[str] = []
    paths: list[str] = []
    stopwords: list[str] = []
    for table in tables:
        where = f"{origin}: {owner} allowlist"
        if not isinstance(table, dict):
            raise FatalError(f"{where} must be a table")
        unsupported = set(table) - _ALLOWLIST_FIELDS
        if unsupported:
            raise FatalError(f"{where}: cannot be imported: unsupported field(s) {', '.join(sorted(unsupported))}"
                             " (commit allowlists belong in the baseline)")
        if table.get("regexTarget", "secret") != "secret" and table.get("regexes"):
            raise FatalError(f"{where}: cannot be imported: regexTarget {table['regexTarget']!r} (secretshift "
                             "matches allowlist regexes against the secret only)")
        kinds = [k for k in ("regexes", "paths", "stopwords") if table.get(k)]
        if str(table.get("condition", "OR")).upper() == "AND" and len(kinds) > 1:
            raise FatalError(f"{where}: cannot be imported: condition = \"AND\" over {', '.join(kinds)}")
        for name, into in (("regexes", regexes), ("paths", paths), ("stopwords", stopwords)):
            values = table.get(name, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise FatalError(f"{where}: `{name}` must be an array of strings")
            into.extend(values)
    return Allowlist(tuple(s.lower() for s in stopwords), tuple(regexes), tuple(paths))


def with_secret_group(regex: str, group: int, where: str) -> str:
    """``regex`` with capture group ``group`` (1-based; 0 = the first group if any, else the whole
    match, as gitleaks does) renamed ``secret``."""
    starts = _capture_group_starts(regex)
    if group == 0:
        if not starts:
            return f"(?P<secret>{regex})"
        group = 1
    if group > len(starts):
        raise FatalError(f"{where}: secretGroup {group} but the regex has {len(starts)} capture group(s)")
    at, head_len = starts[group - 1]
    return regex[:at] + "(?P<secret>" + regex[at + head_len :]


def _capture_group_starts(regex: str) -> list[tuple[int, int]]:
    """(offset, length of the group's opening) of each capturing group, in order."""
    out: list[tuple[int, int]] = []
    index, in_class = 0, False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if regex[index + 1 : index + 2] == "]":
                index += 1  # `[]...]`: a literal `]` first in the class
        elif char == "(":
            if regex[index + 1 : index + 2] != "?":
                out.append((index, 1))
            elif regex.startswith(("(?P<", "(?<"), index) and not regex.startswith(("(?<=", "(?<!"), index):
                close = regex.index(">", index)
                out.append((index, close - index + 1))
        index += 1
    return out


def _literal_keywords(regex: str) -> list[str]:
    """The longest literal run (3+ characters) the regex always contains, as a keyword."""
    from secretshift.scanner.regex import python_regex_parser

    sre_parse, sre = python_regex_parser()
    try:
        tree = sre_parse.parse(regex)
    except Exception:  # RE2-only syntax (`\z`, POSIX classes): no keyword, the caller asks for one
        return []
    best, run = "", ""
    for op, av in tree:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        best, run = max(best, run, key=len), ""
    best = max(best, run, key=len).lower()
    return [best] if len(best) >= 3 else []
