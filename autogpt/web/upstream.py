"""How the guard proxy reaches a site: straight to an address the URL guard checked, or through
the user's HTTP(S) or SOCKS5 proxy, with the user name and password the proxy URL carries.

Connecting directly uses only the addresses the guard resolved and checked (no second DNS
lookup that a hostile name server could answer differently); the user's proxy is the user's
choice, so its own address is not checked. Errors are ``CommandError`` with the proxy's password
redacted.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import ssl
import struct
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from autogpt.config.proxy import redact
from autogpt.errors import CommandError

if TYPE_CHECKING:
    from autogpt.web.fetch import Route

CONNECT_SECONDS = 15.0
IDLE_SECONDS = 120.0
"""How long a proxied connection may stay silent before it is dropped."""


def open_direct(route: Route, url: str) -> socket.socket:
    """A connection to the first reachable address the guard checked for ``url``."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    failure: OSError | None = None
    for address in route.guard.addresses(url):
        try:
            return socket.create_connection((address, port), timeout=CONNECT_SECONDS)
        except OSError as exc:
            failure = exc
    reason = failure.strerror if failure and failure.strerror else "no address"
    raise CommandError(f"could not connect to {parts.hostname}:{port} ({reason})")


def open_upstream(upstream: str, *, default_port: int = 8080) -> socket.socket:
    """A connection to the user's proxy (its own address is the user's choice)."""
    parts = urlsplit(upstream if "://" in upstream else f"http://{upstream}")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else default_port)
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_SECONDS)
        if parts.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    except OSError as exc:
        raise CommandError(
            f"could not connect through proxy {redact(upstream)} ({exc.strerror or exc})"
        ) from None
    sock.settimeout(IDLE_SECONDS)
    return sock


def open_socks(upstream: str, url: str) -> socket.socket:
    """A connection to ``url``'s host through the user's SOCKS5 proxy (RFC 1928), with its user
    name and password (RFC 1929) when it has them; the proxy resolves the name."""
    parts, target = urlsplit(upstream), urlsplit(url)
    host = target.hostname or ""
    port = target.port or (443 if target.scheme == "https" else 80)
    sock = open_upstream(upstream, default_port=1080)
    named = f"proxy {redact(upstream)}"
    try:
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        methods = b"\x00\x02" if user else b"\x00"
        sock.sendall(bytes([5, len(methods)]) + methods)
        _, method = recv_exact(sock, 2)
        if method == 2 and user:
            name, secret = user.encode(), password.encode()
            sock.sendall(bytes([1, len(name)]) + name + bytes([len(secret)]) + secret)
            if recv_exact(sock, 2)[1] != 0:
                raise CommandError(f"{named} refused the user name and password")
        elif method != 0:
            raise CommandError(f"{named} wants a login; put it in the URL (socks5://user:pw@...)")
        try:
            literal = ipaddress.ip_address(host)
            address = (b"\x01" if literal.version == 4 else b"\x04") + literal.packed
        except ValueError:
            encoded = host.encode("idna")
            address = b"\x03" + bytes([len(encoded)]) + encoded
        sock.sendall(b"\x05\x01\x00" + address + struct.pack("!H", port))
        _, status, _, kind = recv_exact(sock, 4)
        skip = {1: 4, 4: 16}.get(kind) or recv_exact(sock, 1)[0]
        recv_exact(sock, skip + 2)  # the address the proxy bound: not needed
        if status != 0:
            raise CommandError(
                f"could not connect through {named} to {host}:{port} (SOCKS error {status})"
            )
    except (OSError, ValueError) as exc:
        sock.close()
        raise CommandError(f"could not connect through {named} ({exc})") from None
    except CommandError:
        sock.close()
        raise
    return sock


def recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ValueError("the proxy closed the connection")
        data += chunk
    return data


def auth_header(upstream: str | None) -> str:
    """The ``Proxy-Authorization`` header line for an HTTP(S) proxy URL with a login, else ""."""
    parts = urlsplit(upstream or "")
    if not parts.username:
        return ""
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return f"Proxy-Authorization: Basic {base64.b64encode(pair).decode('ascii')}\r\n"
