"""Every validator: the ``[rules.validation]`` tables of the built-in packs, by rule id, and the
few protocols that need code (an explicit name -> module registry)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from secretshift.errors import FatalError
from secretshift.validate.spec import ValidatorSpec, parse_spec

# `code = "..."` in a validation table -> the module whose
# `check(spec, credential, timeout, checker)` runs it.
CODE_VALIDATORS: dict[str, str] = {
    "aws_sts": "secretshift.validate.aws",
    "azure_shared_key": "secretshift.validate.azure",
    "database": "secretshift.validate.database",
}


def load_validators(tables: list[tuple[str, dict[str, Any]]] | None = None) -> dict[str, ValidatorSpec]:
    """rule id -> validator, from the built-in packs only (never a repository's own rules)."""
    if tables is None:
        from secretshift.scanner.pack_cache import scanner_tables

        tables = scanner_tables()
    validators: dict[str, ValidatorSpec] = {}
    for origin, table in tables:
        for raw in table.get("rules", []):
            if isinstance(raw, dict) and "validation" in raw:
                spec = _spec(raw, str(table.get("provider", "")), origin)
                validators[spec.rule] = spec
    return validators


def _spec(raw: Mapping[str, Any], pack_provider: str, origin: str) -> ValidatorSpec:
    rule = str(raw.get("id", ""))
    where = f"{origin}: rule {rule!r}"
    spec = parse_spec(raw["validation"], rule, str(raw.get("provider", pack_provider)), where)
    if spec.code is not None and spec.code not in CODE_VALIDATORS:
        raise FatalError(f"{where}: unknown validation code {spec.code!r}")
    return spec


def code_check(name: str) -> Callable[..., Any]:
    import importlib

    check: Callable[..., Any] = importlib.import_module(CODE_VALIDATORS[name]).check
    return check
