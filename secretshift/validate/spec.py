r"""Validator declarations: the ``[rules.validation]`` table of a built-in rule, as a frozen value.

A validator is data where one HTTP request answers "does this secret work, and whose is it"::

    [rules.validation]
    hosts = ["api.github.com"]                      # the only hosts this secret may be sent to
    url = "https://api.github.com/user"
    method = "GET"                                  # default GET
    headers = { Authorization = "Bearer {secret}" } # {secret}; {pair} = the paired rule's secret
    basic_auth = ["api", "{secret}"]                # optional: user, password
    body = "..."  /  json_body = { ... }            # optional
    valid = { status = [200] }                      # criteria: status list and/or json values
    invalid = { status = [401] }
    revoked = { status = [200], json = { ok = false, error = ["token_revoked"] } }
    identity = { login = "json:login", scopes = "header:X-OAuth-Scopes" }
    revoke = "https://docs.github.com/..."          # how to revoke/rotate (documented page)
    pair = "aws-secret-access-key"                  # optional: needs another rule's secret too
    near = { shop = '(?P<value>[a-z0-9-]+)\.myshopify\.com' }  # values found in the same file:
                                                    # {near.shop}; may fill a `*.` host label only
    code = "aws_sts"                                # a protocol that needs code (see registry)
    rate = 2.0                                      # requests per second to this provider
    not_for = { prefixes = ["ghr_"], reason = "..." } # secrets of the rule this check cannot judge

Validators come only from the built-in packs: a rule from a repository's configuration can never
carry one (the loader refuses it), so no repository can send a secret to a host of its choosing.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from secretshift.errors import FatalError
from secretshift.scanner.rules import _strings  # the packs' one array-of-strings check

Status = Literal["valid", "invalid", "revoked", "unknown", "error"]
JsonScalar = str | int | float | bool | None
SECRET = "{secret}"
PAIR = "{pair}"
_KEYS = {
    "hosts", "url", "method", "headers", "basic_auth", "body", "json_body", "valid", "invalid",
    "revoked", "identity", "revoke", "pair", "code", "rate", "network", "near", "not_for",
}
NEAR = re.compile(r"\{near\.([a-z_]+)\}")
_CRITERIA_KEYS = {"status", "json", "header"}
_HOST = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_IDENTITY = re.compile(r"^(?:json:[A-Za-z0-9_.@-]+|header:[A-Za-z0-9-]+|prefix:.+)$")
_METHODS = {"GET", "POST", "HEAD"}


@dataclass(frozen=True)
class Criteria:
    """A response matches when its status is listed (or none are) and every JSON path holds
    one of its listed values (a missing path never matches)."""

    status: tuple[int, ...] = ()
    json: tuple[tuple[str, tuple[JsonScalar, ...]], ...] = ()
    header: tuple[str, ...] = ()  # headers that must be present

    def matches(self, status: int, body: Any, headers: Mapping[str, str]) -> bool:
        if self.status and status not in self.status:
            return False
        if any(name.lower() not in headers for name in self.header):
            return False
        for path, allowed in self.json:
            found, value = json_path(body, path)
            if not found or not any(value == a and type(value) is type(a) for a in allowed):
                return False
        return True


@dataclass(frozen=True)
class ValidatorSpec:
    rule: str
    provider: str
    hosts: tuple[str, ...]
    revoke: str
    url: str = ""
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    basic_auth: tuple[str, str] | None = None
    body: str | None = None
    json_body: str | None = None  # JSON text with {secret}/{pair} placeholders as strings
    valid: tuple[Criteria, ...] = ()
    invalid: tuple[Criteria, ...] = ()
    revoked: tuple[Criteria, ...] = ()
    identity: tuple[tuple[str, str], ...] = ()
    pair: str | None = None
    near: tuple[tuple[str, str], ...] = ()  # name -> RE2 pattern with a `value` group
    code: str | None = None
    rate: float = 2.0
    network: bool = False  # a network service (database): only with --validate-network-services
    not_for: tuple[str, ...] = ()  # secret prefixes this check cannot judge (reported as unknown)
    not_for_reason: str = ""

    @property
    def name(self) -> str:
        """What identifies the check (for the cache): the code validator, or method + URL."""
        return self.code or f"{self.method} {self.url}"


def json_path(body: Any, path: str) -> tuple[bool, Any]:
    """Follow a dotted path (`result.status`, `errors.0.message`) through parsed JSON."""
    current = body
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Exact host, or `*.suffix` for exactly one more DNS label (never a dot inside it)."""
    host = host.lower().rstrip(".")
    for pattern in allowed:
        if pattern.startswith("*."):
            label, dot, rest = host.partition(".")
            if dot and rest == pattern[2:] and re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", label):
                return True
        elif host == pattern:
            return True
    return False


def parse_spec(raw: Any, rule: str, provider: str, where: str) -> ValidatorSpec:
    """The validator of one built-in rule; every mistake is an error naming the rule."""
    if not isinstance(raw, dict):
        raise FatalError(f"{where}: `validation` must be a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise FatalError(f"{where}: unknown validation field(s) {', '.join(sorted(unknown))}")
    hosts = _strings(raw.get("hosts"), where, "validation.hosts")
    network = raw.get("network", False) is True
    # A network service (a database URL) is contacted at the host its own URL names, so it lists none.
    if (not hosts and not network) or not all(_HOST.match(h) for h in hosts):
        raise FatalError(f"{where}: `validation.hosts` must list lower-case host names")
    revoke = raw.get("revoke")
    if not isinstance(revoke, str) or not revoke.startswith("https://"):
        raise FatalError(f"{where}: `validation.revoke` must be the https URL of the revocation docs")
    code = raw.get("code")
    if code is not None and not isinstance(code, str):
        raise FatalError(f"{where}: `validation.code` must be a string")
    url = raw.get("url", "")
    if code is None:
        _check_url(url, hosts, where)
    method = str(raw.get("method", "GET")).upper()
    if method not in _METHODS:
        raise FatalError(f"{where}: `validation.method` must be one of {', '.join(sorted(_METHODS))}")
    pair = raw.get("pair")
    if pair is not None and not isinstance(pair, str):
        raise FatalError(f"{where}: `validation.pair` must be a rule id")
    rate = raw.get("rate", 2.0)
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 < rate <= 100:
        raise FatalError(f"{where}: `validation.rate` must be a number of requests per second (0-100]")
    return ValidatorSpec(
        rule=rule, provider=provider, hosts=hosts, revoke=revoke, url=url, method=method,
        headers=_headers(raw.get("headers", {}), where), basic_auth=_basic_auth(raw.get("basic_auth"), where),
        body=_optional_str(raw.get("body"), where, "body"), json_body=_json_body(raw.get("json_body"), where),
        valid=_criteria(raw.get("valid"), where, "valid"), invalid=_criteria(raw.get("invalid"), where, "invalid"),
        revoked=_criteria(raw.get("revoked"), where, "revoked"), identity=_identity(raw.get("identity", {}), where),
        pair=pair, near=_near(raw.get("near", {}), where), code=code, rate=float(rate), network=network,
        **_not_for(raw.get("not_for"), where),
    )


def _check_url(url: Any, hosts: tuple[str, ...], where: str) -> None:
    if not isinstance(url, str) or not url.startswith("https://"):
        raise FatalError(f"{where}: `validation.url` must be an https URL")
    authority = urlsplit(url).netloc
    # A near value may fill the first label of a `*.` host; nothing else may touch the host.
    if authority.startswith("{near."):
        authority = NEAR.sub("x", authority, count=1)
    if "{" in authority or "@" in authority or urlsplit(f"https://{authority}").port is not None:
        raise FatalError(f"{where}: `validation.url` must name its host plainly (no placeholder, user or port)")
    if not host_allowed(urlsplit(f"https://{authority}").hostname or "", hosts):
        raise FatalError(f"{where}: `validation.url` host is not in `validation.hosts`")


def _optional_str(raw: Any, where: str, what: str) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise FatalError(f"{where}: `validation.{what}` must be a string")
    return raw


def _headers(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise FatalError(f"{where}: `validation.headers` must be a table of strings")
    return tuple(sorted(raw.items()))


def _basic_auth(raw: Any, where: str) -> tuple[str, str] | None:
    if raw is None:
        return None
    pair = _strings(raw, where, "validation.basic_auth")
    if len(pair) != 2:
        raise FatalError(f"{where}: `validation.basic_auth` must be [user, password]")
    return pair[0], pair[1]


def _json_body(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FatalError(f"{where}: `validation.json_body` must be a table")
    import json

    return json.dumps(raw, sort_keys=True)


def _criteria(raw: Any, where: str, what: str) -> tuple[Criteria, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, dict) or set(item) - _CRITERIA_KEYS or not item:
            raise FatalError(f"{where}: `validation.{what}` must be tables of status/json/header")
        status = item.get("status", [])
        if not isinstance(status, list) or not all(isinstance(s, int) for s in status):
            raise FatalError(f"{where}: `validation.{what}.status` must be an array of integers")
        json_raw = item.get("json", {})
        if not isinstance(json_raw, dict):
            raise FatalError(f"{where}: `validation.{what}.json` must be a table of path = value(s)")
        json_items = tuple(
            (path, tuple(value) if isinstance(value, list) else (value,)) for path, value in sorted(json_raw.items())
        )
        out.append(Criteria(tuple(status), json_items, _strings(item.get("header"), where, f"{what}.header")))
    return tuple(out)


def _not_for(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) != {"prefixes", "reason"} or not isinstance(raw["reason"], str):
        raise FatalError(f"{where}: `validation.not_for` must be {{ prefixes = [...], reason = \"...\" }}")
    return {"not_for": _strings(raw["prefixes"], where, "validation.not_for.prefixes"), "not_for_reason": raw["reason"]}


def _near(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) and "(?P<value>" in v for v in raw.values()):
        raise FatalError(f"{where}: `validation.near` must map names to regexes with a (?P<value>...) group")
    from secretshift.scanner.regex import compile_text

    for name, pattern in raw.items():
        if not re.fullmatch(r"[a-z_]+", name):
            raise FatalError(f"{where}: `validation.near` names are lower-case words")
        compile_text(pattern, f"{where}: validation.near.{name}")
    return tuple(sorted(raw.items()))


def _identity(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) and _IDENTITY.match(v) for v in raw.values()):
        raise FatalError(f"{where}: `validation.identity` values must be json:PATH, header:NAME or prefix:P=V,...")
    return tuple(sorted(raw.items()))
