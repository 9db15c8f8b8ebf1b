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
from secretshift.models import Allowlist, Rule
from secretshift.scanner.rules import load_toml, rules_from_table

DEFAULT_MAX_FILE_SIZE = 25 * 1024 * 1024
CONFIG_FILES = (".secretshift.toml", "pyproject.toml")
_KNOWN = {"disable", "enable", "exclude", "max_file_size", "rule_files", "allowlist", "rules", "migrate", "baseline"}


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
    for name in _strings(table, "rule_files", origin):
        path = (base_dir / name).resolve()
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise FatalError(f"{origin}: cannot read rule file {name}: {exc.strerror}") from None
        extra.extend(rules_from_table(load_toml(text, str(name)), str(name)))
    enable = _strings(table, "enable", origin)
    migrate = table.get("migrate", {})
    if not isinstance(migrate, dict):
        raise FatalError(f"{origin}: `migrate` must be a table")
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise FatalError(f"{origin}: `baseline` must be a path string")
    return Config(
        disabled=frozenset(_strings(table, "disable", origin)),
        enabled_only=frozenset(enable) if enable else None,
        exclude=exclude,
        max_file_size=parse_size(table.get("max_file_size", DEFAULT_MAX_FILE_SIZE), origin),
        allowlist=allowlist,
        extra_rules=tuple(extra),
        migrate=migrate,
        baseline=baseline,
        source=origin,
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
