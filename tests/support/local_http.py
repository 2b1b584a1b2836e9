"""A local threaded HTTP server for tests: serves from a daemon thread, closes cleanly.

Shared by the model server and the recording proxy. Handlers answer once and close the connection
(``Connection: close``), so ``close()`` never waits on an idle keep-alive client; a client that
connects and sends nothing holds ``close()`` for at most ``LocalHandler.timeout`` seconds.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], *, owner: Any, host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:  # fmt: skip
        super().__init__((host, port), handler)
        self.owner = owner
        """The object the handlers serve (``ModelServer``, ``RecordingProxy``)."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(owner).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self) -> None:
        """Stop serving and wait for the handler threads."""
        self.shutdown()
        self.server_close()
        self._thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away (a timeout test): nothing to report
        super().handle_error(request, client_address)


class LocalHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: LocalServer

    def send_body(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer with a JSON body (a str is sent as text), then close the connection."""
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        data = text.encode("utf-8")
        kind = "text/plain" if isinstance(body, str) else "application/json"
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def send_bytes(self, data: bytes, content_type: str) -> None:
        """Answer 200 with raw bytes (a WAV, an image file), then close the connection."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the owners record what happened


@dataclass(frozen=True)
class RawBody:
    """A 200 answer of raw bytes, for a server to send with :meth:`LocalHandler.send_bytes`."""

    data: bytes
    content_type: str
