"""A recording SOCKS5 proxy for tests (RFC 1928, with RFC 1929 user/password when asked).

``RecordingSocksProxy(resolve={"model.test": "127.0.0.1"}, credentials=("u", "p"))`` listens on
127.0.0.1 (a free port) in a daemon thread; ``url`` is ``socks5://127.0.0.1:<port>``. It serves
``CONNECT`` to IPv4, IPv6 and domain-name targets; each target lands in ``seen`` as
``"host:port"``, each user name sent in ``users``. Names in ``resolve`` are reachable only
through it, so a client that bypasses it fails to resolve them. A wrong password or an
unreachable target gets the protocol's failure reply.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import struct
import threading
from collections.abc import Mapping


class RecordingSocksProxy:
    def __init__(
        self,
        *,
        resolve: Mapping[str, str] | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.resolve = {name.lower(): address for name, address in (resolve or {}).items()}
        self.credentials = credentials
        self.seen: list[str] = []
        self.users: list[str] = []
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def close(self) -> None:
        if self.closing.is_set():
            return
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> RecordingSocksProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: RecordingSocksProxy


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(10)
        with contextlib.suppress(OSError, ValueError, struct.error):
            self._handle(client)

    def _handle(self, client: socket.socket) -> None:
        owner = self.server.owner
        version, count = _read(client, 2)
        if version != 5:
            return
        methods = _read(client, count)
        wanted = 2 if owner.credentials else 0
        if wanted not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(bytes([5, wanted]))
        if wanted == 2:
            _, size = _read(client, 2)
            user = _read(client, size).decode()
            (size,) = _read(client, 1)
            password = _read(client, size).decode()
            with owner._lock:
                owner.users.append(user)
            if (user, password) != owner.credentials:
                client.sendall(b"\x01\x01")
                return
            client.sendall(b"\x01\x00")
        _, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, _read(client, 4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
        else:
            (size,) = _read(client, 1)
            host = _read(client, size).decode("idna")
        (port,) = struct.unpack("!H", _read(client, 2))
        with owner._lock:
            owner.seen.append(f"{host}:{port}")
        if command != 1:
            client.sendall(b"\x05\x07\x00\x01" + bytes(6))  # command not supported
            return
        try:
            upstream = socket.create_connection(
                (owner.resolve.get(host.lower(), host), port), timeout=10
            )
        except OSError:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        with upstream:
            client.sendall(b"\x05\x00\x00\x01" + bytes(6))
            _pump(client, upstream, owner.closing)


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ValueError("the client went away")
        data += chunk
    return data


def _pump(a: socket.socket, b: socket.socket, closing: threading.Event) -> None:
    while not closing.is_set():
        readable, _, _ = select.select([a, b], [], [], 0.05)
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (b if source is a else a).sendall(data)
