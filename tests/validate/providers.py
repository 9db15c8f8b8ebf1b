"""How each provider answers, as its documentation describes it, served from 127.0.0.1.

The mock knows which credentials are "live" (valid) and which were revoked; any other credential
gets the provider's documented rejection. It looks for a credential anywhere a client could put
one (headers, Basic auth, path, query, body), so it does not assume where the validator sends it:
a validator that sends the secret nowhere, or to the wrong host, fails its test.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

Answer = tuple[int, Any, dict[str, str]]  # status, JSON body (or text), headers


def _j(status: int, body: Any, **headers: str) -> Answer:
    return status, body, {k.replace("_", "-"): v for k, v in headers.items()}


# (host or *.suffix, path prefix) -> answers, first match wins.
CATALOGUE: list[tuple[str, str, dict[str, Answer]]] = [
    ("api.github.com", "/user", {
        "valid": _j(200, {"login": "octo-deployer", "type": "User"}, X_OAuth_Scopes="repo, read:org"),
        "invalid": _j(401, {"message": "Bad credentials"})}),
    ("gitlab.com", "/api/v4/personal_access_tokens/self", {
        "valid": _j(200, {"id": 7, "name": "ci", "revoked": False, "active": True, "scopes": ["api", "read_repository"],
                          "user_id": 42, "expires_at": "2027-01-31"}),
        "revoked": _j(401, {"error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user."}),
        "invalid": _j(401, {"message": "401 Unauthorized"})}),
    ("slack.com", "/api/auth.test", {
        "valid": _j(200, {"ok": True, "team": "Acme Corp", "team_id": "T0ACME", "user": "deploybot",
                          "url": "https://acme.slack.com/"}, X_OAuth_Scopes="chat:write"),
        "revoked": _j(200, {"ok": False, "error": "token_revoked"}),
        "invalid": _j(200, {"ok": False, "error": "invalid_auth"})}),
    ("api.stripe.com", "/v1/account", {
        "valid": _j(200, {"id": "acct_1AcmeCorp", "object": "account", "email": "billing@acme.test"}),
        "revoked": _j(401, {"error": {"code": "api_key_expired", "type": "invalid_request_error"}}),
        "invalid": _j(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})}),
    ("api.openai.com", "/v1/", {
        "valid": _j(200, {"object": "list", "data": []}, openai_organization="org-acme"),
        "invalid": _j(401, {"error": {"code": "invalid_api_key"}})}),
    ("api.anthropic.com", "/v1/", {
        "valid": _j(200, {"data": [], "has_more": False}),
        "invalid": _j(401, {"type": "error", "error": {"type": "authentication_error"}})}),
    ("api.sendgrid.com", "/v3/scopes", {
        "valid": _j(200, {"scopes": ["mail.send", "alerts.read"]}),
        "invalid": _j(401, {"errors": [{"message": "authorization required"}]})}),
    ("api.twilio.com", "/2010-04-01/Accounts", {
        "valid": _j(200, {"accounts": [{"sid": "AC_acme", "friendly_name": "Acme"}], "sid": "AC_acme",
                          "friendly_name": "Acme", "status": "active"}),
        "revoked": _j(200, {"sid": "AC_acme", "friendly_name": "Acme", "status": "suspended"}),
        "invalid": _j(401, {"code": 20003, "message": "Authenticate"})}),
    ("registry.npmjs.org", "/-/whoami", {
        "valid": _j(200, {"username": "acme-bot"}), "invalid": _j(401, {"error": "Unauthorized"})}),
    ("upload.pypi.org", "/legacy/", {
        "valid": _j(400, "Error: Invalid value for blake2_256_digest."),
        "invalid": _j(403, "Invalid or non-existent authentication information.")}),
    ("hub.docker.com", "/v2/auth/token", {
        "valid": _j(200, {"access_token": "short-lived"}), "invalid": _j(401, {"detail": "incorrect username or password"})}),
    ("api.datadoghq.com", "/api/", {
        "valid": _j(200, {"valid": True, "status": "ok"}), "invalid": _j(403, {"errors": ["Forbidden"]})}),
    ("huggingface.co", "/api/whoami-v2", {
        "valid": _j(200, {"name": "acme-ml", "type": "user", "auth": {"accessToken": {"role": "write"}}}),
        "invalid": _j(401, {"error": "Invalid credentials in Authorization header"})}),
    ("generativelanguage.googleapis.com", "/v1beta/models", {
        "valid": _j(200, {"models": []}),
        "invalid": _j(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "details": [{"reason": "API_KEY_INVALID"}]}})}),
    ("*.blob.core.windows.net", "/", {
        "valid": _j(200, "<?xml version=\"1.0\"?><EnumerationResults/>"),
        "invalid": _j(403, "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code></Error>")}),
    ("*.atlassian.net", "/rest/api/3/myself", {
        "valid": _j(200, {"accountId": "5b10ac8d82e05b22cc7d4ef5", "emailAddress": "dev@acme.test", "displayName": "Dev"}),
        "invalid": _j(401, "Unauthorized")}),
    ("*.myshopify.com", "/admin/api/", {
        "valid": _j(200, {"shop": {"myshopify_domain": "acme-store.myshopify.com", "plan_name": "basic", "email": "o@acme.test"}}),
        "invalid": _j(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})}),
    ("api.digitalocean.com", "/v2/account", {
        "valid": _j(200, {"account": {"email": "ops@acme.test", "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
                                      "status": "active", "team": {"name": "Acme"}}}),
        "invalid": _j(401, {"id": "Unauthorized", "message": "Unable to authenticate you"})}),
    ("api.heroku.com", "/account", {
        "valid": _j(200, {"email": "ops@acme.test", "id": "01234567-89ab-cdef-0123-456789abcdef"}),
        "invalid": _j(401, {"id": "unauthorized", "message": "Invalid credentials provided."})}),
    ("api.cloudflare.com", "/client/v4/user/tokens/verify", {
        "valid": _j(200, {"success": True, "result": {"id": "tok-1", "status": "active"}}),
        "revoked": _j(200, {"success": True, "result": {"id": "tok-1", "status": "disabled"}}),
        "invalid": _j(401, {"success": False, "errors": [{"code": 1000, "message": "Invalid API Token"}]})}),
    ("api.cloudflare.com", "/client/v4/user", {
        "valid": _j(200, {"success": True, "result": {"id": "user-1", "email": "ops@acme.test"}}),
        "invalid": _j(403, {"success": False, "errors": [{"code": 9103, "message": "Unknown X-Auth-Key or X-Auth-Email"}]})}),
    ("api.mailgun.net", "/v3/domains", {
        "valid": _j(200, {"items": [{"name": "mg.acme.test"}], "total_count": 1}), "invalid": _j(401, "Forbidden")}),
    ("api.postmarkapp.com", "/server", {
        "valid": _j(200, {"ID": 1, "Name": "Production"}),
        "invalid": _j(401, {"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied"})}),
    ("api.telegram.org", "/bot", {
        "valid": _j(200, {"ok": True, "result": {"id": 7001, "is_bot": True, "username": "acme_bot"}}),
        "invalid": _j(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})}),
    ("discord.com", "/api/v10/users/@me", {
        "valid": _j(200, {"id": "80351110224678912", "username": "acme-bot", "bot": True}),
        "invalid": _j(401, {"message": "401: Unauthorized", "code": 0})}),
    ("sentry.io", "/api/0/organizations/", {
        "valid": _j(200, [{"slug": "acme", "name": "Acme"}]), "invalid": _j(401, {"detail": "Invalid token"})}),
    ("*.grafana.net", "/api/org", {
        "valid": _j(200, {"id": 1, "name": "Acme"}), "invalid": _j(401, {"message": "invalid API key"})}),
    ("api.notion.com", "/v1/users/me", {
        "valid": _j(200, {"object": "user", "name": "Acme bot", "bot": {"workspace_name": "Acme"}}),
        "invalid": _j(401, {"object": "error", "code": "unauthorized"})}),
    ("api.linear.app", "/graphql", {
        "valid": _j(200, {"data": {"viewer": {"id": "u1", "name": "Dev", "email": "dev@acme.test"}}}),
        "invalid": _j(400, {"errors": [{"message": "Authentication required, not authenticated"}]})}),
    ("api.brevo.com", "/v3/account", {
        "valid": _j(200, {"email": "ops@acme.test", "companyName": "Acme"}), "invalid": _j(401, {"code": "unauthorized"})}),
    ("app.terraform.io", "/api/v2/account/details", {
        "valid": _j(200, {"data": {"attributes": {"username": "ops", "email": "ops@acme.test"}}}),
        "invalid": _j(401, {"errors": [{"status": "401", "title": "unauthorized"}]})}),
    ("api.getpostman.com", "/me", {
        "valid": _j(200, {"user": {"username": "ops", "teamName": "Acme"}}),
        "invalid": _j(401, {"error": {"name": "AuthenticationError"}})}),
    ("api.replicate.com", "/v1/account", {
        "valid": _j(200, {"username": "acme", "type": "organization"}), "invalid": _j(401, {"detail": "Invalid token."})}),
    ("api.groq.com", "/openai/v1/models", {
        "valid": _j(200, {"data": []}), "invalid": _j(401, {"error": {"code": "invalid_api_key"}})}),
    ("*.api.mailchimp.com", "/3.0/ping", {
        "valid": _j(200, {"health_status": "Everything's Chimpy!"}), "invalid": _j(401, {"title": "API Key Invalid"})}),
    ("api.doppler.com", "/v3/me", {
        "valid": _j(200, {"workplace": {"name": "Acme"}, "name": "ci", "type": "service_token"}),
        "invalid": _j(401, {"messages": ["Invalid Auth token"], "success": False})}),
    ("api.supabase.com", "/v1/projects", {
        "valid": _j(200, [{"name": "acme-prod"}]), "invalid": _j(401, {"message": "Unauthorized"})}),
]


def answers_for(host: str, path: str) -> dict[str, Answer] | None:
    for pattern, prefix, answers in CATALOGUE:
        matches_host = host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
        if matches_host and path.startswith(prefix):
            return answers
    return None


@dataclass
class Seen:
    host: str
    path: str
    method: str


@dataclass
class MockProviders:
    """Shared state of the mock: which credentials are live, how to misbehave, what was asked."""

    valid: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    mode: str = "normal"  # normal | rate-limited | slow
    delay: float = 2.0
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    azure_keys: dict[str, str] = field(default_factory=dict)  # account -> base64 key
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.valid.clear()
        self.revoked.clear()
        self.azure_keys.clear()
        self.seen.clear()
        self.mode, self.delay, self.max_in_flight = "normal", 2.0, 0

    def answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Answer:
        parts = urlsplit(raw_path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        path = "/" + rest
        with self.lock:
            self.seen.append(Seen(host, path, method))
        answers = answers_for(host, path)
        if answers is None:
            return 404, {"message": f"the mock does not know {host}{path}"}, {}
        if self.mode == "rate-limited":
            return 429, {"message": "Too Many Requests"}, {"Retry-After": "30"}
        if self.mode == "slow":
            time.sleep(self.delay)
        if host.endswith(".blob.core.windows.net"):
            return answers["valid" if self._azure_signed(method, host, raw_path, headers) else "invalid"]
        places = self._places(parts.path, parts.query, headers, body)
        if any(secret in place for secret in self.revoked for place in places) and "revoked" in answers:
            return answers["revoked"]
        if any(secret in place for secret in self.valid for place in places):
            return answers["valid"]
        return answers["invalid"]

    @staticmethod
    def _places(path: str, query: str, headers: dict[str, str], body: bytes) -> list[str]:
        places = [unquote(path), unquote(query), body.decode("utf-8", "replace"), *headers.values()]
        for value in headers.values():
            if value.startswith("Basic "):
                places.append(base64.b64decode(value[6:]).decode("utf-8", "replace"))
        return places

    def _azure_signed(self, method: str, host: str, raw_path: str, headers: dict[str, str]) -> bool:
        """Microsoft's Shared Key scheme, written from its documentation (not from our code)."""
        account = host.split(".")[0]
        key = self.azure_keys.get(account)
        auth = headers.get("authorization", "")
        if key is None or not auth.startswith(f"SharedKey {account}:"):
            return False
        parts = urlsplit(raw_path)
        resource_path = "/" + parts.path.lstrip("/").partition("/")[2]
        query = sorted(
            (name.lower(), unquote(value)) for name, _, value in (p.partition("=") for p in parts.query.split("&") if p)
        )
        standard = ["content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                    "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range"]
        lines = [method] + [headers.get(h, "") for h in standard]
        ms = sorted((k, v.strip()) for k, v in headers.items() if k.startswith("x-ms-"))
        canonical = "\n".join(lines) + "\n" + "".join(f"{k}:{v}\n" for k, v in ms)
        canonical += f"/{account}{resource_path}" + "".join(f"\n{k}:{v}" for k, v in query)
        digest = hmac.new(base64.b64decode(key), canonical.encode(), hashlib.sha256).digest()
        return hmac.compare_digest(auth.split(":", 1)[1], base64.b64encode(digest).decode())


def serve(state: MockProviders, ssl_context: Any = None) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = state.answer(self.command, self.path, headers, body)
            finally:
                with state.lock:
                    state.in_flight -= 1
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (the timeout case)

        do_GET = do_POST = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ssl_context is not None:
        # The handshake happens in each request's thread, not in the accepting one.
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if ssl_context is not None else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


def running(state: MockProviders, ssl_context: Any = None) -> Iterator[str]:
    server, url = serve(state, ssl_context)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
