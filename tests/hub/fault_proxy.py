"""A fault-injecting HTTP proxy on loopback for hub tests.

It sits between the client and a real hub and, for requests matching a rule, can:

* ``DROP_RESPONSE``: forward the request, let the hub commit, read its answer, then hang up on
  the client without replying (the "response lost after commit" case);
* ``CUT_REQUEST``: forward the headers and only the first ``cut_after`` body bytes to the hub,
  then hang up on both sides (an upload cut in the middle);
* ``REFUSE``: hang up on the client without contacting the hub.

Every connection is handled to completion before the client sees the outcome, so tests need no
sleeps: when the client's call raises, the hub has already done (or not done) its part.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "host"}


class Action(Enum):
    DROP_RESPONSE = "drop_response"
    CUT_REQUEST = "cut_request"
    REFUSE = "refuse"


@dataclass
class Fault:
    """Apply ``action`` to ``times`` requests whose path contains ``path_contains``.

    The first ``skip`` matching requests pass untouched (e.g. fire on the 9th chunk of 16).
    """

    action: Action
    path_contains: str
    method: str | None = None
    times: int = 1
    skip: int = 0
    cut_after: int = 0
    fired: int = 0
    passed: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.fired < self.times
            and self.path_contains in path
            and (self.method is None or self.method == method)
        )


@dataclass
class ProxyStats:
    """What went through (request body bytes forwarded to the hub, per request)."""

    requests: list[tuple[str, str, int]] = field(default_factory=list)
    faults_fired: list[tuple[Action, str]] = field(default_factory=list)

    def body_bytes(self, path_contains: str) -> int:
        return sum(size for _method, path, size in self.requests if path_contains in path)


class FaultProxy:
    """Run with ``with FaultProxy(hub_url) as proxy:`` and point the client at ``proxy.url``."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.faults: list[Fault] = []
        self.stats = ProxyStats()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                if fault.passed < fault.skip:
                    fault.passed += 1
                    continue
                fault.fired += 1
                self.stats.faults_fired.append((fault.action, path))
                return fault
        return None

    def _record(self, method: str, path: str, size: int) -> None:
        with self._lock:
            self.stats.requests.append((method, path, size))

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: simple and explicit

            def log_message(self, format: str, *args: object) -> None:
                """Silence the default stderr access log."""

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._take_fault(self.command, self.path)
                if fault is not None and fault.action is Action.REFUSE:
                    self.close_connection = True
                    return
                if fault is not None and fault.action is Action.CUT_REQUEST:
                    self._send_partial(body, fault.cut_after)
                    proxy._record(self.command, self.path, min(fault.cut_after, len(body)))
                    self.close_connection = True
                    return
                status, reason, headers, payload = self._forward(body)
                proxy._record(self.command, self.path, len(body))
                if fault is not None and fault.action is Action.DROP_RESPONSE:
                    self.close_connection = True
                    return
                self.send_response(status, reason)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            def _upstream_headers(self) -> list[tuple[str, str]]:
                return [(n, v) for n, v in self.headers.items() if n.lower() not in _HOP_BY_HOP]

            def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    connection.putrequest(self.command, self.path, skip_accept_encoding=True)
                    for name, value in self._upstream_headers():
                        connection.putheader(name, value)
                    connection.endheaders(body if body else None)
                    response = connection.getresponse()
                    payload = response.read()
                    return response.status, response.reason, response.getheaders(), payload
                finally:
                    connection.close()

            def _send_partial(self, body: bytes, cut_after: int) -> None:
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    connection.putrequest(self.command, self.path, skip_accept_encoding=True)
                    for name, value in self._upstream_headers():
                        connection.putheader(name, value)
                    connection.endheaders()
                    connection.send(body[:cut_after])
                finally:
                    # Hanging up mid-body: the hub sees a client disconnect, never the rest.
                    connection.close()

            do_GET = _relay
            do_POST = _relay
            do_PUT = _relay
            do_DELETE = _relay

        return Handler
