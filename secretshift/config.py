"""Configuration: ``[tool.secretshift]`` in ``pyproject.toml`` or a ``.secretshift.toml``.

Keys (all optional)::

    [tool.secretshift]
    disable = ["jwt"]                 # rule ids to turn off
    enable = ["aws-access-key-id"]    # if set, only these rules run
    exclude = ["^vendor/", "\\.min\\.js$"]   # path regexes never scanned
    max_file_size = "25MB"
    rule_files = ["ci/extra-rules.toml"]   # more rule packs (same format as plugins/rules)
    [tool.secretshift.allowlist]
    stopwords = ["example"]           # a secret containing one of these is ignored
    regexes = ["^dev-"]               # a secret matching one of these is ignored
    paths = ["^tests/fixtures/"]      # findings under these paths are ignored
    [[tool.secretshift.rules]]        # extra rules inline
    ...
    [tool.secretshift.migrate]        # read by `secretshift migrate`
"""
from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from secretshift.errors import FatalError
from secretshift.models import CONFIDENCE_LEVELS, Allowlist, Rule
from secretshift.scanner.rules import load_toml, rules_from_table

DEFAULT_MAX_FILE_SIZE = 25 * 1024 * 1024
CONFIG_FILES = (".secretshift.toml", "pyproject.toml")
_KNOWN = {
    "disable", "enable", "exclude", "max_file_size", "rule_files", "allowlist", "rules", "migrate", "baseline",
    "min_confidence",
    "adr",  # [tool.secretshift.adr] is read by `secretshift adr check` (secretshift/adr/settings.py)
}
# Without --min-confidence or `min_confidence` in the config: `scan` (a person looking) shows
# everything; the gates (`hook`, `ci`), which block work, report medium and high only.
SCAN_MIN_CONFIDENCE = "low"
GATE_MIN_CONFIDENCE = "medium"
_KNOWN_ALLOWLIST = {"stopwords", "regexes", "paths"}
# A size below this skips every real config file (a `.env` is a few hundred bytes); above it a
# single file no longer fits the memory a scan is allowed. Either is a mistake, or an attack.
MIN_FILE_SIZE = 1 << 10
MAX_FILE_SIZE_LIMIT = 1 << 30
# Strings every useful path or secret pattern leaves alone at least once: a pattern matching all
# of them matches everything (`.`, `\w|\W`, `[\s\S]`), which turns the scan off.
_PROBES = ("a", "Z", "7", "/", "-", "_", ".", " ", "src/app.py", "AKIAIOSFODNN7EXAMPLE", "é")
RuleFileReader = Callable[[str], str]


class Config(NamedTuple):
    disabled: frozenset[str] = frozenset()
    enabled_only: frozenset[str] | None = None
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    allowlist: Allowlist = Allowlist()
    extra_rules: tuple[Rule, ...] = ()
    migrate: Mapping[str, Any] = {}  # read-only: shared by every Config without settings
    baseline: str | None = None
    source: str | None = None  # the file it came from, for messages
    min_confidence: str | None = None  # None: the command's default (see SCAN_/GATE_MIN_CONFIDENCE)
    # SECRETSHIFT_HASH_KEY, read once by load_config (see secretshift.hashing); never in a repr.
    hash_key: bytes | None = None

    def __repr__(self) -> str:  # every field but the hash key
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self) if name != "hash_key")
        return f"Config({shown})"


def parse_size(raw: Any, where: str) -> int:
    size = _size(raw)
    if size is None:
        raise FatalError(f"{where}: max_file_size must be a positive size such as 25MB, got {raw!r}")
    if not MIN_FILE_SIZE <= size <= MAX_FILE_SIZE_LIMIT:
        raise FatalError(
            f"{where}: max_file_size {raw!r} is outside 1KB..1GB (a smaller limit skips ordinary "
            "config files unscanned; a larger one does not fit in memory)"
        )
    return size


def _size(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, str):
        text = raw.strip().upper().replace(" ", "")
        for suffix, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)):
            if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
                return int(float(text[: -len(suffix)]) * factor) or None
        if text.isdigit() and int(text) > 0:
            return int(text)
    return None


def check_pattern(pattern: str, where: str) -> None:
    """A configured exclude/allowlist regex: valid, and not one that matches everything (an empty
    pattern, `.*`, `.`): that is how a pull request's config switched the scan off."""
    from secretshift.scanner.regex import compile_text

    compiled = compile_text(pattern, f"{where}: regex {pattern!r}")
    if compiled.search("") is not None:
        raise FatalError(f"{where}: regex {pattern!r} matches the empty string, so it matches every path and secret")
    if all(compiled.search(probe) is not None for probe in _PROBES):
        raise FatalError(f"{where}: regex {pattern!r} matches everything")


def check_rule_ids(config: Config, known: Collection[str]) -> None:
    """Rule ids in ``enable``/``disable`` must exist: a misspelt id in ``enable`` ran no rule at
    all and passed every check."""
    for name, ids in (("enable", config.enabled_only or ()), ("disable", config.disabled)):
        unknown = sorted(set(ids) - set(known))
        if unknown:
            near = _suggestion(unknown[0], known)
            raise FatalError(
                f"{config.source or 'config'}: `{name}` names unknown rule id(s) {', '.join(map(repr, unknown))}"
                f"{near} (`secretshift rules` lists them)"
            )


def check_rule_table_ids(table: Collection[str], where: str, known: Collection[str]) -> None:
    """Rule ids used as table keys (per-rule settings) must exist, like those in `enable`."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise FatalError(f"{where}: unknown rule id(s) {', '.join(map(repr, unknown))}"
                         f"{_suggestion(unknown[0], known)} (`secretshift rules` lists them)")


def _suggestion(unknown: str, known: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(unknown, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _strings(table: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    raw = table.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise FatalError(f"{where}: `{name}` must be an array of strings")
    return tuple(raw)


def config_from_table(table: Mapping[str, Any], origin: str, base_dir: Path,
                      read_rule_file: RuleFileReader | None = None) -> Config:
    """``read_rule_file``: how to read a ``rule_files`` entry (default: from ``base_dir``; `ci`
    reads them from the base commit)."""
    unknown = set(table) - _KNOWN
    if unknown:
        raise FatalError(f"{origin}: unknown setting(s) {', '.join(sorted(unknown))}")
    allow = table.get("allowlist", {})
    if not isinstance(allow, dict):
        raise FatalError(f"{origin}: `allowlist` must be a table")
    unknown = set(allow) - _KNOWN_ALLOWLIST
    if unknown:
        raise FatalError(f"{origin}: unknown allowlist setting(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(_KNOWN_ALLOWLIST))})")

    allowlist = Allowlist(
        stopwords=tuple(s.lower() for s in _strings(allow, "stopwords", f"{origin} allowlist")),
        regexes=_strings(allow, "regexes", f"{origin} allowlist"),
        paths=_strings(allow, "paths", f"{origin} allowlist"),
    )
    exclude = _strings(table, "exclude", origin)
    for pattern in exclude:
        check_pattern(pattern, f"{origin}: exclude")
    for pattern in allowlist.regexes:
        check_pattern(pattern, f"{origin}: allowlist regexes")
    for pattern in allowlist.paths:
        check_pattern(pattern, f"{origin}: allowlist paths")
    for word in allowlist.stopwords:
        if len(word.strip()) < 3:
            raise FatalError(f"{origin}: allowlist stopword {word!r} is too short: it is part of almost every secret")
    extra: list[Rule] = []
    if "rules" in table:
        extra.extend(rules_from_table({"rules": table["rules"]}, origin))
    texts = [
        (name, read_rule_file(name) if read_rule_file else _read_rule_file(base_dir, name, origin))
        for name in _strings(table, "rule_files", origin)
    ]
    imported = load_rule_texts(texts)
    extra.extend(imported.rules)
    enable = _strings(table, "enable", origin)
    migrate = table.get("migrate", {})
    if not isinstance(migrate, dict):
        raise FatalError(f"{origin}: `migrate` must be a table")
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise FatalError(f"{origin}: `baseline` must be a path string")
    min_confidence = table.get("min_confidence")
    if min_confidence is not None and min_confidence not in CONFIDENCE_LEVELS:
        raise FatalError(f"{origin}: `min_confidence` must be one of {', '.join(CONFIDENCE_LEVELS)}")
    only = set(enable) | set(imported.only) if enable or imported.only else None
    return Config(
        min_confidence=min_confidence,
        disabled=frozenset(_strings(table, "disable", origin)) | set(imported.disabled),
        enabled_only=frozenset(only) if only is not None else None,
        exclude=exclude,
        max_file_size=parse_size(table.get("max_file_size", DEFAULT_MAX_FILE_SIZE), origin),
        allowlist=_joined(allowlist, imported.allowlist),
        extra_rules=tuple(extra),
        migrate=migrate,
        baseline=baseline,
        source=origin,
    )


class RuleFiles(NamedTuple):
    """What rule files add to a config: rules, and (gitleaks configs) disabled ids, an allowlist
    and, with `[extend] useDefault = false`, the only rules to run."""

    rules: tuple[Rule, ...] = ()
    disabled: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    allowlist: Allowlist = Allowlist()


def load_rule_texts(texts: list[tuple[str, str]]) -> RuleFiles:
    """``(name, text)`` of rule files: secretshift rule packs or gitleaks/betterleaks configs,
    told apart by their fields."""
    from secretshift.scanner.gitleaks import import_gitleaks, is_gitleaks_config

    rules: list[Rule] = []
    disabled: list[str] = []
    only: list[str] = []
    allowlist = Allowlist()
    for name, text in texts:
        document = load_toml(text, str(name))
        if not is_gitleaks_config(document):
            rules.extend(rules_from_table(document, str(name)))
            continue
        imported = import_gitleaks(document, str(name))
        rules.extend(imported.rules)
        if imported.disabled:
            # `disabledRules` names gitleaks' own default rules; only those secretshift also has
            # can be disabled here (gitleaks' `generic-api-key` has no counterpart to turn off).
            from secretshift.scanner.rules import builtin_rules, detector_rules

            known = {r.id for r in (*builtin_rules(examples=False), *detector_rules(), *rules)}
            disabled.extend(rule_id for rule_id in imported.disabled if rule_id in known)
        allowlist = _joined(allowlist, imported.allowlist)
        if not imported.use_default:
            only.extend(rule.id for rule in imported.rules)
    return RuleFiles(tuple(rules), tuple(disabled), tuple(only), allowlist)


def _joined(first: Allowlist, second: Allowlist) -> Allowlist:
    return Allowlist(first.stopwords + second.stopwords, first.regexes + second.regexes, first.paths + second.paths)


def with_rule_files(config: Config, files: list[str] | None) -> Config:
    """``--rules FILE`` (repeatable): more rules, as if listed in `rule_files`."""
    if not files:
        return config

    imported = load_rule_texts([(name, _read_rule_file(Path.cwd(), name, "--rules")) for name in files])
    only = set(config.enabled_only or ()) | set(imported.only)
    return config._replace(extra_rules=config.extra_rules + imported.rules,
        disabled=config.disabled | set(imported.disabled),
        enabled_only=frozenset(only) if config.enabled_only is not None or imported.only else None,
        allowlist=_joined(config.allowlist, imported.allowlist),
    )


def with_min_confidence(config: Config, flag: str | None, default: str) -> Config:
    """The confidence floor a command reports: its flag, else the config's, else ``default``."""

    return config._replace(min_confidence=flag or config.min_confidence or default)


def add_min_confidence_argument(parser: Any, default: str) -> None:
    parser.add_argument(
        "--min-confidence", choices=CONFIDENCE_LEVELS, metavar="LEVEL",
        help=f"report only findings at least this confident: low, medium or high (default: {default}, "
        "or `min_confidence` in the config)",
    )


def _read_rule_file(base_dir: Path, name: str, origin: str) -> str:
    try:
        return (base_dir / name).resolve().read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"{origin}: cannot read rule file {name}: {getattr(exc, 'strerror', None) or exc}") from None


def load_config(explicit: str | None, search_from: Path | None = None) -> Config:
    """``explicit`` (``--config``) wins; else the first config file found in ``search_from``
    (the scanned directory, then the current directory). The hash key is read from the
    environment here, once, and travels with the config."""

    from secretshift.hashing import hash_key

    return _find_config(explicit, search_from)._replace(hash_key=hash_key())


def _find_config(explicit: str | None, search_from: Path | None) -> Config:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise FatalError(f"config file not found: {explicit}")
        return _load_file(path, required=True) or Config(source=os.fspath(path))
    candidates = []
    for folder in (search_from, Path.cwd()):
        if folder is not None and folder not in candidates:
            candidates.append(folder)
    for folder in candidates:
        for name in CONFIG_FILES:
            path = folder / name
            if path.is_file():
                config = _load_file(path, required=False)
                if config is not None:
                    return config
    return Config()


def _load_file(path: Path, required: bool) -> Config | None:
    origin = os.fspath(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"cannot read config {origin}: {exc}") from None
    return config_from_text(text, path.name, origin, path.parent)


def config_from_text(text: str, name: str, origin: str, base_dir: Path,
                     read_rule_file: RuleFileReader | None = None) -> Config | None:
    """A config file's text (``name``: ``pyproject.toml`` or anything else, read as a
    ``.secretshift.toml``); None for a pyproject without ``[tool.secretshift]``."""
    if name == "pyproject.toml" and "secretshift" not in text:
        return None  # no [tool.secretshift]: not worth parsing a long pyproject on every commit
    document = load_toml(text, origin)
    table: Any
    if name == "pyproject.toml":
        table = document.get("tool", {}).get("secretshift")
        if table is None:
            return None
    else:
        table = _secretshift_table(document, origin)
    if not isinstance(table, dict):
        raise FatalError(f"{origin}: [tool.secretshift] must be a table")
    return config_from_table(table, origin, base_dir, read_rule_file)


def _secretshift_table(document: Mapping[str, Any], origin: str) -> Any:
    """A ``.secretshift.toml`` holds the settings at the top, or under ``[secretshift]``, or (the
    README's block pasted as is) under ``[tool.secretshift]`` — one of the three, nothing else."""
    for wrapper, inner in (("tool", "secretshift"), ("secretshift", None)):
        if wrapper not in document:
            continue
        others = sorted(set(document) - {wrapper})
        if others:
            raise FatalError(f"{origin}: unknown setting(s) {', '.join(others)} next to [{wrapper}]")
        table = document[wrapper]
        if inner is None:
            return table
        if not isinstance(table, dict) or set(table) != {inner}:
            extra = sorted(set(table) - {inner}) if isinstance(table, dict) else []
            raise FatalError(f"{origin}: unknown table(s) {', '.join(f'[tool.{t}]' for t in extra) or '[tool]'}: "
                             "only [tool.secretshift] is read")
        return table[inner]
    return document
