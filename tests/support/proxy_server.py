"""A recording HTTP forward proxy for tests: does the client really go through the proxy?

``RecordingProxy(resolve={"model.test": "127.0.0.1"})`` listens on 127.0.0.1 (a free port) in a
daemon thread; ``url`` is ``http://127.0.0.1:<port>``. It forwards absolute-form requests
(``GET http://host:port/path``, any method, with the body given by ``Content-Length``) and
streams the response back, and tunnels ``CONNECT host:port``. Each request's ``(method, target)``
lands in ``seen``, its ``Proxy-Authorization`` header (or "") in ``auth``. Host names in
``resolve`` are reachable only through the proxy, so a client that bypasses it fails to resolve
them. Upstream failures answer 502.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

from tests.support.local_http import LocalHandler, LocalServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class RecordingProxy:
    """A forward proxy that records what passed through it; a context manager."""

    def __init__(self, *, resolve: Mapping[str, str] | None = None) -> None:
        self.resolve = {name.lower(): address for name, address in (resolve or {}).items()}
        self.seen: list[tuple[str, str]] = []
        self.auth: list[str] = []
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self._httpd = LocalServer(_ProxyHandler, owner=self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.port}"

    def record(self, method: str, target: str, auth: str = "") -> None:
        with self._lock:
            self.seen.append((method, target))
            self.auth.append(auth)

    def address_of(self, host: str) -> str:
        return self.resolve.get(host.lower(), host)

    def close(self) -> None:
        if self.closing.is_set():
            return
        self.closing.set()  # ends open tunnels
        self._httpd.close()

    def __enter__(self) -> RecordingProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _ProxyHandler(LocalHandler):
    def do_CONNECT(self) -> None:
        owner = self.server.owner
        owner.record("CONNECT", self.path, self.headers.get("Proxy-Authorization", ""))
        self.close_connection = True
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((owner.address_of(host), int(port)), timeout=10)
        except (OSError, ValueError) as exc:
            self.send_error(502, f"cannot reach {self.path}: {exc}")
            return
        with upstream:
            self.send_response_only(200, "Connection established")
            self.end_headers()
            self._pump(upstream)

    def _pump(self, upstream: socket.socket) -> None:
        """Copy bytes both ways until either side closes (or the proxy does)."""
        client = self.connection
        while not self.server.owner.closing.is_set():
            readable, _, _ = select.select([client, upstream], [], [], 0.05)
            for source in readable:
                target = upstream if source is client else client
                try:
                    data = source.recv(65536)
                    if not data:
                        return
                    target.sendall(data)
                except OSError:
                    return

    def _forward(self) -> None:
        owner = self.server.owner
        self.close_connection = True
        url = urlsplit(self.path)
        if url.scheme != "http" or not url.hostname:
            self.send_error(400, "a forward proxy expects an absolute http:// URL")
            return
        owner.record(self.command, self.path, self.headers.get("Proxy-Authorization", ""))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        target = url.path + (f"?{url.query}" if url.query else "") or "/"
        upstream = http.client.HTTPConnection(owner.address_of(url.hostname), url.port or 80)
        try:
            upstream.request(self.command, target, body=body, headers=headers)
            response = upstream.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            upstream.close()
            self.send_error(502, f"upstream {url.netloc} failed: {exc!r}")
            return
        try:
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while self.command != "HEAD" and (chunk := response.read1(65536)):
                self.wfile.write(chunk)  # streamed as it arrives
        finally:
            response.close()
            upstream.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward
