"""Database URLs: connect, authenticate, close. Only with ``--validate-network-services``.

A database URL names its own host, which is the whole point of the check and also why it is
opt-in twice: the host comes from the scanned file, so it is contacted only when the user asks
for network services explicitly, and never a host that is not in the URL itself. PostgreSQL is
checked with pg8000 (pure Python) the way the URL says the application connects: with verified
TLS when it asks for `sslmode=require`/`verify-ca`/`verify-full`, else as the server offers. Other
schemes are reported as unknown rather than guessed.
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from secretshift.validate.http import Credential, Outcome
from secretshift.validate.spec import ValidatorSpec

_POSTGRES = ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+asyncpg")


def check(spec: ValidatorSpec, credential: Credential, timeout: float, checker: object = None) -> Outcome:
    """``checker`` is unused (not HTTP). ``credential.secret`` is the whole URL when the rule's secret is only its password:
    the runner passes the matched line's URL as ``pair``."""
    url = credential.pair or credential.secret
    parts = urlsplit(url)
    if parts.scheme.lower() not in _POSTGRES:
        return Outcome("unknown", f"no connect check for {parts.scheme or 'this'} URLs yet")
    if not parts.hostname or parts.password is None:
        return Outcome("unknown", "the URL has no host or no password")
    tls = parse_qs(parts.query).get("sslmode", [""])[-1] in ("require", "verify-ca", "verify-full")
    return _postgres(parts.hostname, parts.port or 5432, unquote(parts.username or ""),
                     unquote(parts.password), unquote(parts.path.lstrip("/")) or None, timeout, tls)


def _postgres(host: str, port: int, user: str, password: str, database: str | None, timeout: float,
              tls: bool) -> Outcome:
    import ssl

    import pg8000.native
    from pg8000.exceptions import DatabaseError, InterfaceError

    where = f"{host}:{port}"
    try:
        connection = pg8000.native.Connection(
            user, host=host, port=port, password=password, database=database, timeout=timeout,
            ssl_context=ssl.create_default_context() if tls else None,
        )
    except DatabaseError as exc:
        code = exc.args[0].get("C") if exc.args and isinstance(exc.args[0], dict) else None
        if code in ("28P01", "28000"):  # invalid_password, invalid_authorization_specification
            return Outcome("invalid", f"{where} refused the password")
        if code == "3D000":  # invalid_catalog_name: logged in, the database is gone
            return Outcome("valid", f"{where} accepted the password (the named database does not exist)",
                           (("server", where), ("user", user)))
        return Outcome("error", f"{where} answered with SQLSTATE {code or '?'}")
    except ssl.SSLError:
        return Outcome("error", f"TLS verification failed for {where}")
    except (InterfaceError, OSError):
        return Outcome("error", f"could not reach {where}")
    connection.close()
    return Outcome("valid", f"{where} accepted the password", (("server", where), ("user", user)))
