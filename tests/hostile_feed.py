"""A hostile directory feed on loopback, for tests: gzip bombs, huge and trickled bodies, endless
paging, redirects to another origin.

It binds 127.0.0.1 on port 0 (other engineers run tests on this machine at the same time),
serves from a daemon thread, bounds everything it sends, and shuts itself down after
``lifetime`` seconds even if a test forgets to.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

Handler = Callable[["Request"], None]


class Request:
    """What a route sees: the path, query and headers, and ways to answer."""

    def __init__(self, handler: BaseHTTPRequestHandler):
        self._handler = handler
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.headers = dict(handler.headers.items())

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        handler = self._handler
        handler.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Length", str(len(body)))
        headers.setdefault("Content-Type", "application/json")
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if body:
            handler.wfile.write(body)

    def json(self, payload, status: int = 200) -> None:
        self.send(status, json.dumps(payload).encode())

    def stream(self, chunks, headers: dict[str, str] | None = None, delay: float = 0.0) -> None:
        """A body of unknown length, chunk by chunk (closed connection marks its end)."""
        handler = self._handler
        handler.send_response(200)
        for key, value in {"Content-Type": "application/json", "Connection": "close", **(headers or {})}.items():
            handler.send_header(key, value)
        handler.end_headers()
        try:
            for chunk in chunks:
                handler.wfile.write(chunk)
                handler.wfile.flush()
                if delay:
                    time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", {"Location": location})


class HostileFeedServer:
    """``with HostileFeedServer() as server: server.route("/services", handler)``."""

    def __init__(self, lifetime: float = 60.0):
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):  # noqa: N802 - the http.server name
                request = Request(self)
                owner.requests.append((request.path, request.query, request.headers))
                route = owner.routes.get(request.path)
                if route is None:
                    request.json({"error": "not found"}, status=404)
                else:
                    route(request)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://127.0.0.1:{port}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def start(self) -> "HostileFeedServer":
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "HostileFeedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def v1_page(number: int, ids: list[str], *, last: bool) -> dict:
    """An ORUK v1 /services page of minimal valid services."""
    return {
        "totalElements": 10_000,
        "totalPages": 10_000,
        "number": number,
        "size": len(ids),
        "first": number == 1,
        "last": last,
        "content": [
            {"id": i, "name": f"Service {i}", "status": "active", "assured_date": "2026-11-01"} for i in ids
        ],
    }


def gzip_bomb(expanded_bytes: int, prefix: bytes = b'{"content": [') -> bytes:
    """A small gzip body that expands to ``expanded_bytes`` of JSON-looking padding."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(prefix)]
    block = b" " * (1024 * 1024)
    for _ in range(expanded_bytes // len(block)):
        out.append(compressor.compress(block))
    out.append(compressor.flush())
    return b"".join(out)


__all__ = ["HostileFeedServer", "Request", "gzip", "gzip_bomb", "v1_page"]
