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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretshift.errors import FatalError
from secretshift.models import CONFIDENCE_LEVELS, Allowlist, Rule
from secretshift.scanner.rules import load_toml, rules_from_table

DEFAULT_MAX_FILE_SIZE = 25 * 1024 * 1024
CONFIG_FILES = (".secretshift.toml", "pyproject.toml")
_KNOWN = {
    "disable", "enable", "exclude", "max_file_size", "rule_files", "allowlist", "rules", "migrate", "baseline",
    "min_confidence",
}
# Without --min-confidence or `min_confidence` in the config: `scan` (a person looking) shows
# everything; the gates (`hook`, `ci`), which block work, report medium and high only.
SCAN_MIN_CONFIDENCE = "low"
GATE_MIN_CONFIDENCE = "medium"


@dataclass(frozen=True)
class Config:
    disabled: frozenset[str] = frozenset()
    enabled_only: frozenset[str] | None = None
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    allowlist: Allowlist = Allowlist()
    extra_rules: tuple[Rule, ...] = ()
    migrate: Mapping[str, Any] = field(default_factory=dict)
    baseline: str | None = None
    source: str | None = None  # the file it came from, for messages
    min_confidence: str | None = None  # None: the command's default (see SCAN_/GATE_MIN_CONFIDENCE)
    # SECRETSHIFT_HASH_KEY, read once by load_config (see secretshift.hashing); never in a repr.
    hash_key: bytes | None = field(default=None, repr=False)


def parse_size(raw: Any, where: str) -> int:
    if isinstance(raw, int) and raw > 0:
        return raw
    if isinstance(raw, str):
        text = raw.strip().upper().replace(" ", "")
        for suffix, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)):
            if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
                return int(float(text[: -len(suffix)]) * factor)
        if text.isdigit() and int(text) > 0:
            return int(text)
    raise FatalError(f"{where}: max_file_size must be a positive size such as 25MB, got {raw!r}")


def _strings(table: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    raw = table.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise FatalError(f"{where}: `{name}` must be an array of strings")
    return tuple(raw)


def config_from_table(table: Mapping[str, Any], origin: str, base_dir: Path) -> Config:
    unknown = set(table) - _KNOWN
    if unknown:
        raise FatalError(f"{origin}: unknown setting(s) {', '.join(sorted(unknown))}")
    allow = table.get("allowlist", {})
    if not isinstance(allow, dict):
        raise FatalError(f"{origin}: `allowlist` must be a table")
    from secretshift.scanner.regex import compile_text

    allowlist = Allowlist(
        stopwords=tuple(s.lower() for s in _strings(allow, "stopwords", f"{origin} allowlist")),
        regexes=_strings(allow, "regexes", f"{origin} allowlist"),
        paths=_strings(allow, "paths", f"{origin} allowlist"),
    )
    exclude = _strings(table, "exclude", origin)
    for pattern in (*exclude, *allowlist.regexes, *allowlist.paths):
        compile_text(pattern, f"{origin}: regex {pattern!r}")
    extra: list[Rule] = []
    if "rules" in table:
        extra.extend(rules_from_table({"rules": table["rules"]}, origin))
    enable = _strings(table, "enable", origin)
    imported = load_rule_files([(base_dir / name, name) for name in _strings(table, "rule_files", origin)], origin)
    extra.extend(imported.rules)
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


@dataclass(frozen=True)
class RuleFiles:
    """What rule files add to a config: rules, and (gitleaks configs) disabled ids, an allowlist
    and, with `[extend] useDefault = false`, the only rules to run."""

    rules: tuple[Rule, ...] = ()
    disabled: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    allowlist: Allowlist = Allowlist()


def load_rule_files(files: list[tuple[Path, str]], origin: str) -> RuleFiles:
    """secretshift rule packs or gitleaks/betterleaks configs, told apart by their fields."""
    from secretshift.scanner.gitleaks import import_gitleaks, is_gitleaks_config

    rules: list[Rule] = []
    disabled: list[str] = []
    only: list[str] = []
    allowlist = Allowlist()
    for path, name in files:
        try:
            text = path.resolve().read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FatalError(f"{origin}: cannot read rule file {name}: {getattr(exc, 'strerror', exc)}") from None
        document = load_toml(text, str(name))
        if not is_gitleaks_config(document):
            rules.extend(rules_from_table(document, str(name)))
            continue
        imported = import_gitleaks(document, str(name))
        rules.extend(imported.rules)
        disabled.extend(imported.disabled)
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
    from dataclasses import replace

    imported = load_rule_files([(Path(name), name) for name in files], "--rules")
    only = set(config.enabled_only or ()) | set(imported.only)
    return replace(
        config,
        extra_rules=config.extra_rules + imported.rules,
        disabled=config.disabled | set(imported.disabled),
        enabled_only=frozenset(only) if config.enabled_only is not None or imported.only else None,
        allowlist=_joined(config.allowlist, imported.allowlist),
    )


def with_min_confidence(config: Config, flag: str | None, default: str) -> Config:
    """The confidence floor a command reports: its flag, else the config's, else ``default``."""
    from dataclasses import replace

    return replace(config, min_confidence=flag or config.min_confidence or default)


def add_min_confidence_argument(parser: Any, default: str) -> None:
    parser.add_argument(
        "--min-confidence", choices=CONFIDENCE_LEVELS, metavar="LEVEL",
        help=f"report only findings at least this confident: low, medium or high (default: {default}, "
        "or `min_confidence` in the config)",
    )


def load_config(explicit: str | None, search_from: Path | None = None) -> Config:
    """``explicit`` (``--config``) wins; else the first config file found in ``search_from``
    (the scanned directory, then the current directory). The hash key is read from the
    environment here, once, and travels with the config."""
    from dataclasses import replace

    from secretshift.hashing import hash_key

    return replace(_find_config(explicit, search_from), hash_key=hash_key())


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
    if path.name == "pyproject.toml" and "secretshift" not in text:
        return None  # no [tool.secretshift]: not worth parsing a long pyproject on every commit
    document = load_toml(text, origin)
    table: Any
    if path.name == "pyproject.toml" or "tool" in document:
        table = document.get("tool", {}).get("secretshift")
        if table is None:
            return None
    else:
        table = document.get("secretshift", document)
    if not isinstance(table, dict):
        raise FatalError(f"{origin}: [tool.secretshift] must be a table")
    return config_from_table(table, origin, path.parent)
