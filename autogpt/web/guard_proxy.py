"""The browser's own proxy: every request the browser makes passes the URL guard first.

Chromium is pointed at this local forward proxy (``--proxy-server``, loopback included), so a
redirect, a frame, an image or a page script aiming at a local or private address (the router, a
local admin page, 169.254.169.254) is refused before anything is sent: the browser never reaches
it. Allowed requests go straight to the addresses the guard checked (no second DNS lookup that a
hostile name server could answer differently), or on to the user's HTTP(S) or SOCKS5 proxy, with
its user name and password when it has them (which Chromium itself cannot take). A SOCKS4 proxy
is left to Chromium (see ``uses_guard_proxy``).

One request per client connection for plain HTTP (``Connection: close``), so a kept-alive
connection can never carry a second, unchecked request; HTTPS is a checked ``CONNECT`` tunnel.
Reaching a site (directly, or through the user's proxy) is ``upstream.py``'s part.
It serves only the browser it was started for (:meth:`GuardProxy.serve_only`, ``peers.py``): any
other local program, of this user or another, is refused before anything is sent for it, so it
can neither use the agent's network position nor have the user's proxy password added for it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from autogpt.config.proxy import redact
from autogpt.errors import CommandError
from autogpt.web import peers
from autogpt.web.upstream import IDLE_SECONDS, auth_header, open_direct, open_socks, open_upstream
from autogpt.web.urlguard import UrlRefused, origin

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.web.fetch import Route

log = logging.getLogger(__name__)

HEAD_LIMIT = 64 * 1024
KEEP_PROBLEMS = 50
TREE_SECONDS = 2.0
"""How long the browser's list of processes is trusted before it is read again."""
_HOP_HEADERS = (
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
)


def uses_guard_proxy(settings: Settings) -> bool:
    """True unless the user's proxy is SOCKS4, which only Chromium speaks."""
    proxies = (settings.http_proxy, settings.https_proxy, settings.all_proxy)
    return not any(p and p.lower().startswith("socks4") for p in proxies)


@dataclass(frozen=True)
class Problem:
    url: str
    error: CommandError
    """:class:`UrlRefused` for a refused request; a plain CommandError when it could not go."""


class GuardProxy:
    """Started on construction (a daemon thread on 127.0.0.1, a free port); :meth:`close`."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self._problems: list[Problem] = []
        self._lock = threading.Lock()
        self._root: int | None = None
        self._tree: tuple[float, list[int]] = (0.0, [])
        self._last: int | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.guard_proxy = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="guard-proxy",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def serve_only(self, root_pid: int) -> None:
        """Serve the connections of ``root_pid`` (the browser's driver) and of the processes
        below it, and nobody else's. Until this is called, every client is refused."""
        self._root = root_pid
        self._tree = (0.0, [])

    def serves(self, client: tuple[str, int], server: tuple[str, int]) -> bool:
        """Whether the connection from ``client`` comes from the browser's process tree."""
        if not peers.can_check():
            return True
        found = peers.socket_of(client, server)
        if self._root is None or found is None or found[0] != os.getuid():
            return False
        inode = found[1]
        if self._last is not None and peers.holder(inode, [self._last])[0] is not None:
            if time.monotonic() - self._tree[0] < TREE_SECONDS:
                return True  # the process that held the last one, still of the tree
        for fresh in (False, True):
            read_at, pids = self._tree
            if fresh or time.monotonic() - read_at >= TREE_SECONDS:
                pids = peers.tree(self._root)
                self._tree = (time.monotonic(), pids)
            pid, hidden = peers.holder(inode, pids)
            if pid is not None:
                self._last = pid
                return True
        return hidden  # the sandbox hides a browser process's files: same user is all we know

    def take_problems(self) -> list[Problem]:
        """The requests refused or failed since the last call, oldest first."""
        with self._lock:
            problems, self._problems = self._problems, []
        return problems

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def note_problem(self, url: str, error: CommandError) -> None:
        log.info("browser request to %s not sent: %s", url, error)
        with self._lock:
            self._problems = [*self._problems[-(KEEP_PROBLEMS - 1) :], Problem(url, error)]


def problem_for(problems: list[Problem], url: str) -> CommandError | None:
    """The newest problem of the document at ``url`` (a page's own resources are not it)."""
    wanted = origin(url)
    for problem in reversed(problems):
        if origin(problem.url) == wanted:
            return problem.error
    return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    guard_proxy: GuardProxy


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(IDLE_SECONDS)
        with contextlib.suppress(OSError):
            if not self.server.guard_proxy.serves(client.getpeername(), client.getsockname()):
                log.warning("guard proxy: refused a client that is not the agent's browser")
                return respond(client, 403, "this proxy serves only the agent's own browser")
            self._handle(client)

    def _handle(self, client: socket.socket) -> None:
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return respond(client, 400, "malformed request line")
        headers = [line for line in lines[1:] if line]
        if method.upper() == "CONNECT":
            host, _, port = target.rpartition(":")
            url = f"https://{target}/" if host and port.isdigit() else ""
        else:
            url = target if target.lower().startswith("http://") else ""
        if not url:
            return respond(client, 400, f"not a proxy request: {method} {target}")
        proxy = self.server.guard_proxy
        upstream = proxy.route.proxy(url)
        socks = upstream is not None and upstream.lower().startswith("socks")
        try:
            if upstream:
                proxy.route.guard.check(url, via_proxy=True)
                server = open_socks(upstream, url) if socks else open_upstream(upstream)
            else:
                server = open_direct(proxy.route, url)
        except UrlRefused as exc:
            proxy.note_problem(url, exc)
            return respond(client, 403, str(exc))
        except CommandError as exc:
            proxy.note_problem(url, exc)
            return respond(client, 502, str(exc))
        http_upstream = None if socks else upstream  # a SOCKS tunnel is as good as direct
        with server:
            if method.upper() == "CONNECT":
                self._tunnel(client, server, target, http_upstream, url, rest)
            else:
                self._forward(client, server, method, url, version, headers, http_upstream, rest)

    def _tunnel(
        self,
        client: socket.socket,
        server: socket.socket,
        target: str,
        upstream: str | None,
        url: str,
        rest: bytes,
    ) -> None:
        if upstream:
            auth = auth_header(upstream)
            server.sendall(
                f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode("latin-1")
            )
            answer, early = read_head(server)
            status_line = answer.split(b"\r\n", 1)[0].decode("latin-1") if answer else ""
            if status_line.split(" ")[1:2] != ["200"]:
                error = CommandError(
                    f"could not connect through proxy {redact(upstream)} "
                    f"(it answered {status_line or 'nothing'})"
                )
                self.server.guard_proxy.note_problem(url, error)
                return respond(client, 502, str(error))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n" + early)
        else:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            server.sendall(rest)
        pipe(client, server)

    def _forward(
        self,
        client: socket.socket,
        server: socket.socket,
        method: str,
        url: str,
        version: str,
        headers: list[str],
        upstream: str | None,
        rest: bytes,
    ) -> None:
        lowered = {h.split(":", 1)[0].strip().lower(): h for h in headers}
        if "chunked" in lowered.get("transfer-encoding", "").lower():
            return respond(client, 501, "chunked request bodies are not forwarded")
        parts = urlsplit(url)
        target = (
            url if upstream else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        )
        kept = [h for h in headers if h.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
        extra = auth_header(upstream) if upstream else ""
        head = f"{method} {target} {version}\r\n" + "".join(f"{h}\r\n" for h in kept)
        server.sendall((head + extra + "Connection: close\r\n\r\n").encode("latin-1"))
        length = lowered.get("content-length", "").split(":", 1)[-1].strip()
        remaining = int(length) if length.isdigit() else 0
        body = rest[:remaining]
        if body:
            server.sendall(body)
        remaining -= len(body)
        while remaining > 0:
            chunk = client.recv(min(65536, remaining))
            if not chunk:
                return
            server.sendall(chunk)
            remaining -= len(chunk)
        while True:  # the answer, until the site closes (it was asked to)
            chunk = server.recv(65536)
            if not chunk:
                return
            client.sendall(chunk)


def read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    """The bytes up to the blank line ending an HTTP head, and what was read after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > HEAD_LIMIT:
            return None, b""
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def respond(client: socket.socket, status: int, text: str) -> None:
    reasons = {400: "Bad Request", 403: "Forbidden", 501: "Not Implemented", 502: "Bad Gateway"}
    body = text.encode("utf-8")
    client.sendall(
        f"HTTP/1.1 {status} {reasons.get(status, 'Error')}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("latin-1")
        + body
    )


def pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes or nothing moves for ``IDLE_SECONDS``."""
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], IDLE_SECONDS)
        if not readable:
            return
        for sock in readable:
            chunk = sock.recv(65536)
            if not chunk:
                return
            (b if sock is a else a).sendall(chunk)
