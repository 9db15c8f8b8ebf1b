"""Fault injection at the HTTP level: a small proxy on 127.0.0.1 in front of moto's server.

Rules match an AWS JSON-protocol operation (the `X-Amz-Target` header, e.g. `CreateSecret`) and
fail its Nth..Mth calls with an AWS error body, or by dropping the connection. Everything else is
forwarded untouched, so the code under test talks HTTP to something that behaves like AWS.
"""
from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Fault:
    operation: str  # e.g. "CreateSecret", "DescribeKey"
    code: str = ""  # AWS error code; "" (and no body) = drop the connection (network failure)
    status: int = 400
    first: int = 1  # the first call (1-based) to fail
    last: int | None = None  # the last call to fail; None = every later call
    body: str | None = None  # with status 200: a canned answer AWS would give (for calls moto cannot serve)


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, faults: list[Fault]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.faults = faults
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, bytes]] = []  # (operation, request body), in order
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        with self.server.lock:
            self.server.calls[operation] += 1
            self.server.requests.append((operation, body))
            count = self.server.calls[operation]
        for fault in self.server.faults:
            if fault.operation == operation and count >= fault.first and (fault.last is None or count <= fault.last):
                if not fault.code and fault.body is None:
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = (fault.body if fault.body is not None else json.dumps(
                    {"__type": fault.code, "message": f"injected {fault.code}"})).encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request("POST", self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()


@contextmanager
def faulty_endpoint(upstream: str, *faults: Fault) -> Iterator[tuple[str, Counter[str]]]:
    """(the proxy's URL, a live counter of calls per operation)."""
    with recording_endpoint(upstream, *faults) as (url, proxy):
        yield url, proxy.calls


@contextmanager
def recording_endpoint(upstream: str, *faults: Fault) -> Iterator[tuple[str, _Proxy]]:
    """(the proxy's URL, the proxy: `.calls` per operation and `.requests` bodies in order)."""
    proxy = _Proxy(upstream, list(faults))
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}", proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
