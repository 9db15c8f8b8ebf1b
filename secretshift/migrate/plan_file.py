"""The plan: a frozen value, (de)serialised as versioned JSON. It never holds a secret value —
only SHA-256 hashes, matched against the files again at apply time."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from secretshift.errors import FatalError
from secretshift.migrate.rewriters.base import Reference, RewriteSettings

PLAN_VERSION = 1


@dataclass(frozen=True)
class SourceRef:
    """One place a migrated value is written, and which secret/key it moves to."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    value_hash: str  # sha256 of the secret value
    secret_name: str
    json_key: str
    rule: str
    key: str | None = None
    key_path: str | None = None
    kind: str | None = None
    encoding: str | None = None

    def reference(self) -> Reference:
        return Reference(
            path=self.path, line=self.line, column=self.column, end_line=self.end_line,
            end_column=self.end_column, secret_name=self.secret_name, json_key=self.json_key,
            key=self.key, key_path=self.key_path, rule=self.rule, kind=self.kind, encoding=self.encoding,
        )


@dataclass(frozen=True)
class PlannedKey:
    json_key: str
    value_hash: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class PlannedSecret:
    name: str
    group: str
    description: str
    keys: tuple[PlannedKey, ...]
    sources: tuple[SourceRef, ...]
    tags: tuple[tuple[str, str], ...]
    kms_key_id: str | None
    rotation_days: int
    rotation_mode: str  # manual | lambda | managed
    rotation_lambda: str | None
    owner: str | None


@dataclass(frozen=True)
class FileRewrite:
    path: str
    original_sha256: str
    rewriter: str | None
    planned_sha256: str | None  # the rewritten text's hash; None when the file is left alone
    diff: str  # values masked in removed lines
    notes: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    extra_files: tuple[str, ...] = ()
    refused: str | None = None  # why the file is left untouched


@dataclass(frozen=True)
class LeftSite:
    """A place a secret value stays in plaintext after apply, and why (never the value)."""

    path: str
    line: int
    value_hash: str
    label: str  # "secret-name#json-key" when the value is migrated elsewhere, else the rule/key
    reason: str  # one line: why, and what to do
    kind: str = "refused"  # refused | copy | test-path
    site: str = ""  # the site's identity for the name ledger: its key path, key or rule


@dataclass(frozen=True)
class Plan:
    root: str
    app: str
    env: str
    secrets: tuple[PlannedSecret, ...]
    files: tuple[FileRewrite, ...]
    iam_policy: str  # JSON preview; apply fills in the real ARNs
    iam_policy_path: str
    runbook_path: str
    rewrite_settings: RewriteSettings
    aws: tuple[tuple[str, str], ...] = ()  # region / profile / endpoint_url from config
    warnings: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    left: tuple[LeftSite, ...] = ()  # sites apply will not rewrite (apply exits 3 when any)
    request_salt: str = ""  # keys ClientRequestTokens when SECRETSHIFT_HASH_KEY is unset
    version: int = PLAN_VERSION


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def plan_to_json(plan: Plan) -> str:
    data = _jsonable(asdict(plan))
    data["rewrite_settings"].pop("secret_arns", None)
    data["rewrite_settings"].pop("related", None)
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise FatalError(f"malformed plan: {where} must be an object")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise FatalError(f"malformed plan: {where} has unknown field(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise FatalError(f"malformed plan: {where}: {exc}") from None


def _pairs(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise FatalError(f"malformed plan: {where} must be a list of pairs")
    return tuple((str(a), str(b)) for a, b in raw)


def _strs(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise FatalError(f"malformed plan: {where} must be a list of strings")
    return tuple(raw)


def plan_from_json(text: str, origin: str = "plan") -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FatalError(f"{origin} is not a plan file (invalid JSON at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("version") != PLAN_VERSION:
        found = data.get("version") if isinstance(data, dict) else None
        raise FatalError(f"{origin}: unsupported plan version {found!r} (this secretshift reads version {PLAN_VERSION})")
    try:
        secrets = []
        for i, raw in enumerate(data["secrets"]):
            where = f"secrets[{i}]"
            raw = dict(raw)
            raw["keys"] = tuple(
                _build(PlannedKey, {**k, "rules": _strs(k.get("rules"), where)}, f"{where}.keys")
                for k in raw.get("keys", [])
            )
            raw["sources"] = tuple(_build(SourceRef, s, f"{where}.sources") for s in raw.get("sources", []))
            raw["tags"] = _pairs(raw.get("tags", []), f"{where}.tags")
            secrets.append(_build(PlannedSecret, raw, where))
        files = []
        for i, raw in enumerate(data["files"]):
            raw = dict(raw)
            for name in ("notes", "requirements", "extra_files"):
                raw[name] = _strs(raw.get(name, []), f"files[{i}].{name}")
            files.append(_build(FileRewrite, raw, f"files[{i}]"))
        rewrite = _build(RewriteSettings, data["rewrite_settings"], "rewrite_settings")
        return Plan(
            root=str(data["root"]), app=str(data["app"]), env=str(data["env"]),
            secrets=tuple(secrets), files=tuple(files), iam_policy=str(data["iam_policy"]),
            iam_policy_path=str(data["iam_policy_path"]), runbook_path=str(data["runbook_path"]),
            rewrite_settings=rewrite, aws=_pairs(data.get("aws", []), "aws"),
            warnings=_strs(data.get("warnings", []), "warnings"),
            requirements=_strs(data.get("requirements", []), "requirements"),
            left=tuple(_build(LeftSite, raw, f"left[{i}]") for i, raw in enumerate(data.get("left", []))),
            request_salt=str(data.get("request_salt", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise FatalError(f"malformed plan {origin}: missing or wrong field {exc}") from None
