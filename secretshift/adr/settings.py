"""``[tool.secretshift.adr]``: limits and exceptions for `secretshift adr check`.

::

    [tool.secretshift.adr]
    max_rotation_days = 90                     # longest allowed rotation period
    secret_name_prefixes = ["payments/"]       # wildcard secret ARNs allowed inside these names
    allowed_cluster_secret_stores = ["global"] # ClusterSecretStores that are meant to be shared
    exclude = ["vendor/**"]                    # path globs never checked
    [[tool.secretshift.adr.exceptions]]
    check = "eks-secrets-encryption"           # a check id (secretshift adr checks)
    path = "legacy/**"                         # a glob over the reported path
    resource = "aws_eks_cluster.legacy"        # optional: only this resource
    reason = "cluster retired in Q3 (TICKET-123)"
    expires = 2026-09-30                       # after this date the violation is back

A mistake here (unknown key, wrong type, an exception without reason or expiry) is an error
(exit 2), never a silently green check.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretshift.adr.model import CHECKS, Violation
from secretshift.errors import FatalError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_MAX_ROTATION_DAYS = 90
_KEYS = {"max_rotation_days", "secret_name_prefixes", "allowed_cluster_secret_stores", "exclude", "exceptions"}
_EXCEPTION_KEYS = {"check", "path", "resource", "reason", "expires"}


@dataclass(frozen=True)
class AdrException:
    check: str
    path: str
    resource: str
    reason: str
    expires: dt.date

    def matches(self, violation: Violation) -> bool:
        if self.check not in (violation.check, "*"):
            return False
        if not fnmatch.fnmatchcase(violation.path, self.path):
            return False
        return not self.resource or self.resource == violation.resource


@dataclass(frozen=True)
class AdrSettings:
    max_rotation_days: int = DEFAULT_MAX_ROTATION_DAYS
    secret_name_prefixes: tuple[str, ...] = ()
    allowed_cluster_secret_stores: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exceptions: tuple[AdrException, ...] = ()
    source: str | None = None

    def excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.exclude)


def _strings(table: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    raw = table.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise FatalError(f"{where}: `{name}` must be an array of strings")
    return tuple(raw)


def _exception(raw: Any, where: str) -> AdrException:
    if not isinstance(raw, dict):
        raise FatalError(f"{where}: each exception must be a table")
    unknown = set(raw) - _EXCEPTION_KEYS
    if unknown:
        raise FatalError(f"{where}: unknown exception key(s) {', '.join(sorted(unknown))}")
    for required in ("check", "path", "reason", "expires"):
        if required not in raw:
            raise FatalError(f"{where}: an exception needs `{required}`")
    check = raw["check"]
    if not isinstance(check, str) or (check not in CHECKS and check != "*"):
        raise FatalError(f"{where}: unknown check {check!r} in an exception (see `secretshift adr checks`)")
    reason = raw["reason"]
    if not isinstance(reason, str) or not reason.strip():
        raise FatalError(f"{where}: an exception's `reason` must be a non-empty string")
    expires = raw["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            raise FatalError(f"{where}: `expires` must be a date such as 2026-06-30, got {expires!r}") from None
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        raise FatalError(f"{where}: `expires` must be a date such as 2026-06-30")
    for name in ("path", "resource"):
        if not isinstance(raw.get(name, ""), str):
            raise FatalError(f"{where}: exception `{name}` must be a string")
    return AdrException(check, raw["path"], raw.get("resource", ""), reason.strip(), expires)


def settings_from_table(table: Mapping[str, Any], origin: str) -> AdrSettings:
    where = f"{origin} [tool.secretshift.adr]"
    unknown = set(table) - _KEYS
    if unknown:
        raise FatalError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    days = table.get("max_rotation_days", DEFAULT_MAX_ROTATION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise FatalError(f"{where}: `max_rotation_days` must be a positive integer")
    exceptions = table.get("exceptions", [])
    if not isinstance(exceptions, list):
        raise FatalError(f"{where}: `exceptions` must be an array of tables ([[tool.secretshift.adr.exceptions]])")
    return AdrSettings(
        max_rotation_days=days,
        secret_name_prefixes=_strings(table, "secret_name_prefixes", where),
        allowed_cluster_secret_stores=_strings(table, "allowed_cluster_secret_stores", where),
        exclude=_strings(table, "exclude", where),
        exceptions=tuple(_exception(raw, f"{where} exceptions[{i}]") for i, raw in enumerate(exceptions)),
        source=origin,
    )


def _table_in(path: Path, required: bool) -> Mapping[str, Any] | None:
    origin = os.fspath(path)
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"cannot read config {origin}: {type(exc).__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FatalError(f"{origin}: not valid TOML ({exc})") from None
    tool = document.get("tool", {}).get("secretshift") if isinstance(document.get("tool"), dict) else None
    if tool is None and path.name != "pyproject.toml":
        tool = document.get("secretshift", document)
    if tool is None:
        return {} if required else None
    if not isinstance(tool, dict):
        raise FatalError(f"{origin}: [tool.secretshift] must be a table")
    table = tool.get("adr", {})
    if not isinstance(table, dict):
        raise FatalError(f"{origin}: [tool.secretshift.adr] must be a table")
    return table


def load_settings(explicit: str | None, search_from: Path | None = None) -> AdrSettings:
    """``--config FILE`` wins; else ``.secretshift.toml`` or ``pyproject.toml`` in the checked
    directory, then in the current directory."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise FatalError(f"config file not found: {explicit}")
        return settings_from_table(_table_in(path, required=True) or {}, os.fspath(path))
    folders: list[Path] = []
    for folder in (search_from, Path.cwd()):
        if folder is not None and folder not in folders:
            folders.append(folder)
    for folder in folders:
        for name in (".secretshift.toml", "pyproject.toml"):
            path = folder / name
            if path.is_file():
                table = _table_in(path, required=False)
                if table is not None:
                    return settings_from_table(table, os.fspath(path))
    return AdrSettings()
