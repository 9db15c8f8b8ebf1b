"""Run a declared HTTP validator: one request, TLS verified, no redirects, bounded in time and size.

urllib3 is the client (botocore already depends on it, so validation adds no HTTP stack of its
own). Errors are turned into fixed reasons: an exception's text can hold the URL, and a URL can
hold the secret (Telegram puts the token in the path), so no exception text is ever shown.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import urllib3

from secretshift.validate.safety import redirect_for_test
from secretshift.validate.spec import PAIR, SECRET, Criteria, Status, ValidatorSpec, host_allowed, json_path

_MAX_BODY = 1 << 20  # a "who am I" answer is small; never read an unbounded body
_MAX_IDENTITY = 200
_SAYS = {"valid": "accepted it", "invalid": "rejected it", "revoked": "says it was revoked or has expired"}


@dataclass(frozen=True)
class Outcome:
    """A validator's verdict, before it is attached to findings."""

    status: Status
    reason: str
    identity: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Credential:
    """The secret (and the paired rule's secret, when the validator needs both). Never printed."""

    secret: str
    pair: str | None = None
    near: tuple[tuple[str, str], ...] = ()  # values found in the same file (account names, ...)

    def __repr__(self) -> str:
        return "Credential(<hidden>)"


class HttpChecker:
    """Sends declared requests through one connection pool (shared by the worker threads)."""

    def __init__(self, timeout: float, test_base: str | None, pool_size: int = 8) -> None:
        self._test_base = test_base
        self._pool = urllib3.PoolManager(
            num_pools=64, maxsize=pool_size, retries=False, cert_reqs="CERT_REQUIRED",
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
        )

    def check(self, spec: ValidatorSpec, credential: Credential) -> Outcome:
        url = fill_url(spec.url, credential)
        answer = self.send(spec, url, _headers(spec, credential), _body(spec, credential))
        if isinstance(answer, Outcome):
            return answer
        status, body, headers = answer
        return classify(spec, credential, status, body, headers)

    def send(self, spec: ValidatorSpec, url: str, headers: dict[str, str],
             body: bytes | None) -> Outcome | tuple[int, Any, dict[str, str]]:
        """(status, parsed JSON body or None, lower-cased headers), or an error Outcome."""
        host = urlsplit(url).hostname or ""
        if not url.startswith("https://") or not host_allowed(host, spec.hosts):
            # The packs are checked when loaded; this is the last gate before anything is sent.
            return Outcome("error", f"refused: {host or 'that host'} is not an allowed host for {spec.rule}")
        if any(c in value for value in headers.values() for c in "\r\n\0"):
            return Outcome("error", "the value holds line breaks, which no HTTP header can carry: not sent")
        try:
            response = self._pool.request(
                spec.method, redirect_for_test(url, self._test_base), headers=headers,
                body=body, redirect=False, preload_content=False,
            )
        except urllib3.exceptions.SSLError:
            return Outcome("error", f"TLS verification failed for {host}")
        except urllib3.exceptions.TimeoutError:
            return Outcome("error", f"timed out talking to {host}")
        except urllib3.exceptions.HTTPError as exc:
            if isinstance(getattr(exc, "reason", None), urllib3.exceptions.SSLError):
                return Outcome("error", f"TLS verification failed for {host}")
            return Outcome("error", f"could not reach {host}")
        try:
            raw = response.read(_MAX_BODY)
        except urllib3.exceptions.HTTPError:
            return Outcome("error", f"timed out talking to {host}")
        finally:
            response.release_conn()
        return response.status, _parse(raw), {k.lower(): v for k, v in response.headers.items()}


def classify(spec: ValidatorSpec, credential: Credential, status: int, body: Any, headers: Mapping[str, str]) -> Outcome:
    """Revoked is checked before invalid before valid: a revoked token also fails to work."""
    for verdict, criteria in (("revoked", spec.revoked), ("invalid", spec.invalid), ("valid", spec.valid)):
        if _any(criteria, status, body, headers):
            identity = identity_of(spec, credential, body, headers) if verdict == "valid" else ()
            return Outcome(verdict, f"{spec.provider} {_SAYS[verdict]} (HTTP {status})", identity)  # type: ignore[arg-type]
    if status == 429:
        return Outcome("error", f"rate limited by {spec.provider} (HTTP 429): try again later")
    if 300 <= status < 400:
        return Outcome("error", f"{spec.provider} answered with a redirect (HTTP {status}), not followed")
    return Outcome("error", f"unexpected answer from {spec.provider} (HTTP {status})")


def identity_of(spec: ValidatorSpec, credential: Credential, body: Any, headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    out = []
    for name, source in spec.identity:
        kind, _, arg = source.partition(":")
        value: Any = None
        if kind == "json":
            value = json_path(body, arg)[1]
        elif kind == "header":
            value = headers.get(arg.lower())
        elif kind == "prefix":
            value = next((v for p, _, v in (item.partition("=") for item in arg.split(","))
                          if credential.secret.startswith(p)), None)
        text = _identity_text(value)
        if text:
            out.append((name, text))
    return tuple(out)


def _identity_text(value: Any) -> str:
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if not isinstance(v, (dict, list)))
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return text[:_MAX_IDENTITY]


def _any(criteria: tuple[Criteria, ...], status: int, body: Any, headers: Mapping[str, str]) -> bool:
    return any(c.matches(status, body, headers) for c in criteria)


def _fill(template: str, credential: Credential) -> str:
    # Plain replacement, never str.format: a template cannot reach attributes or other values.
    for name, value in credential.near:
        template = template.replace(f"{{near.{name}}}", value)
    return template.replace(PAIR, credential.pair or "").replace(SECRET, credential.secret)


def fill_url(template: str, credential: Credential) -> str:
    # Percent-encoded: a value can never change the URL's host, path segments or query. A near
    # value in the host stays as found; `send` refuses it unless it is one allowed DNS label.
    for name, value in credential.near:
        template = template.replace(f"{{near.{name}}}", quote(value, safe=""))
    return template.replace(PAIR, quote(credential.pair or "", safe=":")).replace(
        SECRET, quote(credential.secret, safe=":")
    )


def _headers(spec: ValidatorSpec, credential: Credential) -> dict[str, str]:
    headers = {"User-Agent": "secretshift-validate", "Accept": "application/json"}
    headers.update({name: _fill(value, credential) for name, value in spec.headers})
    if spec.basic_auth is not None:
        user, password = (_fill(part, credential) for part in spec.basic_auth)
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    if spec.json_body is not None:
        headers.setdefault("Content-Type", "application/json")
    return headers


def _body(spec: ValidatorSpec, credential: Credential) -> bytes | None:
    if spec.json_body is not None:
        # Fill the parsed values, then serialise: a quote in a secret cannot break the JSON.
        return json.dumps(_fill_json(json.loads(spec.json_body), credential)).encode("utf-8")
    if spec.body is not None:
        return _fill(spec.body, credential).encode("utf-8")
    return None


def _fill_json(value: Any, credential: Credential) -> Any:
    if isinstance(value, str):
        return _fill(value, credential)
    if isinstance(value, dict):
        return {k: _fill_json(v, credential) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_json(v, credential) for v in value]
    return value


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
