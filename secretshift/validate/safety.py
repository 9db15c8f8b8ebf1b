"""Where a secret may go: its validator's documented hosts, or, for tests only, loopback.

The one override is the test hook :data:`TEST_URL_ENV`, an environment variable naming a
loopback base URL (``http://127.0.0.1:8123``). With it set, a request for
``https://api.github.com/user`` goes to ``http://127.0.0.1:8123/api.github.com/user`` instead, so
a local mock server can answer as every provider at once. It is refused when ``CI`` is set (a CI
job never validates against anything but the real providers) and refused for any address that is
not loopback. Nothing in a repository (config, rule packs) can change a validator's host: the
built-in packs are the only source of validators and nothing else reads this variable.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from secretshift.errors import FatalError

TEST_URL_ENV = "SECRETSHIFT_VALIDATE_TEST_URL"
_CI_OFF = ("", "0", "false", "no")


def in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in _CI_OFF


def test_base_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The loopback base URL of the test hook, or None; a misuse is an error (exit 2)."""
    env = os.environ if environ is None else environ
    raw = env.get(TEST_URL_ENV, "")
    if not raw:
        return None
    if in_ci(env):
        raise FatalError(f"{TEST_URL_ENV} is a test hook and is refused when CI is set")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise FatalError(f"{TEST_URL_ENV} must be a base URL such as http://127.0.0.1:PORT")
    if not is_loopback(parts.hostname):
        raise FatalError(f"{TEST_URL_ENV} must name a loopback address (127.0.0.0/8, ::1 or localhost)")
    return raw.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redirect_for_test(url: str, base: str | None) -> str:
    """The URL actually requested: unchanged, or under the test hook's loopback base."""
    if base is None:
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}/{parts.hostname}{parts.path}{query}"


def contact_notice(hosts: Mapping[str, str], base: str | None) -> str:
    """The one line `--validate` prints before it sends anything: host -> provider."""
    listed = ", ".join(f"{host} ({provider})" for host, provider in sorted(hosts.items()))
    via = f" [test hook: all via {base}]" if base else ""
    return f"secretshift: --validate will contact {listed}{via}"
