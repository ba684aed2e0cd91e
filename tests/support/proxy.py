"""A reply-dropping HTTP proxy for JSON-RPC on 127.0.0.1: every call reaches the server, which
commits it, but the answer to the first `times` calls of a chosen method never comes back — the
connection is closed instead. To the caller it is a timeout after the write happened."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SOCKET_TIMEOUT = 30.0  # no connection, to either side, waits longer than this


class ReplyDropper:
    def __init__(self, upstream: str, drop: dict[str, int]):
        """`drop`: JSON-RPC method → how many of its answers to lose."""
        target = urlsplit(upstream)
        self.upstream = (target.hostname, target.port)
        self.to_drop = Counter(drop)
        self.dropped: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "ReplyDropper":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _lose(self, method: str) -> bool:
        with self._lock:
            self.calls[method] += 1
            if self.dropped[method] < self.to_drop[method]:
                self.dropped[method] += 1
                return True
            return False

    def _forward(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=SOCKET_TIMEOUT)
        try:
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheader("Content-Type", "application/json"), answer.read()
        finally:
            connection.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the client keeps its connection, as it does with trytond
            timeout = SOCKET_TIMEOUT

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    method = json.loads(body).get("method", "")
                except ValueError:
                    method = ""
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() in ("content-type", "authorization")}
                status, kind, answer = proxy._forward(self.path, body, headers)
                if proxy._lose(method):
                    self.close_connection = True  # the server has done it; the caller never hears
                    return
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        return Handler
