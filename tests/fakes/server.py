"""The loopback plumbing every fake shares: a quiet threaded HTTP server on 127.0.0.1 at a free port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or hang up mid-answer are part of the tests, not failures of the fake


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that writes whole answers and keeps the test output clean."""

    def reply(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        """Status, headers, ``Content-Length`` and body; a client that already hung up is not an error."""
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a stall or timeout test)

    def log_message(self, *args: Any) -> None:
        pass


class LoopbackServer:
    """Base of the fakes: call ``_serve(Handler)`` in ``__init__``, then use the fake as a context manager."""

    _server: QuietServer
    _thread: threading.Thread

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = QuietServer(("127.0.0.1", 0), handler)
        # A short poll interval: shutdown() waits for it, and every test stops a server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._before_stop()
        self._server.shutdown()
        self._server.server_close()

    def _before_stop(self) -> None:
        """Release anything a handler may be waiting on (a scripted stall)."""
