"""An overall deadline for one plain-HTTP read: connecting, the answer's head and its body.

httpx's timeouts bound each single network read. A server that sends one byte every few seconds
never trips them and can hold a read for ever. :func:`bound_by` puts a :class:`Deadline` under a
transport's connection pool: every connect, read and write waits at most until the deadline, and
fails once it has passed, so the whole read ends near it whatever the server does.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2


class Deadline:
    """``seconds`` from now; ``setting`` names where the user sets it (for the message)."""

    def __init__(self, seconds: float, setting: str | None = None) -> None:
        self.seconds = seconds
        self.setting = setting
        self.at = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def bound(self, timeout: float | None) -> float:
        """``timeout`` cut to what is left; ReadTimeout once nothing is left."""
        import httpcore2

        left = self.at - time.monotonic()
        if left <= 0:
            raise httpcore2.ReadTimeout(f"the overall deadline of {self.seconds:g} s passed")
        return left if timeout is None else min(timeout, left)


def bound_by(transport: httpx2.HTTPTransport, deadline: Deadline) -> httpx2.HTTPTransport:
    """``transport`` with every connection it opens held to ``deadline``."""
    pool = transport._pool  # httpx builds the pool without a way to pass a network backend
    pool._network_backend = _backend(pool._network_backend, deadline)
    return transport


def _stream_class() -> type:
    import httpcore2

    class _Stream(httpcore2.NetworkStream):
        def __init__(self, inner: Any, deadline: Deadline) -> None:
            self.inner = inner
            self.deadline = deadline

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, self.deadline.bound(timeout))  # type: ignore[no-any-return]

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, self.deadline.bound(timeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Any:
            tls = self.inner.start_tls(ssl_context, server_hostname, self.deadline.bound(timeout))
            return _Stream(tls, self.deadline)

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    return _Stream


def _backend(inner: Any, deadline: Deadline) -> Any:
    import httpcore2

    stream = _stream_class()

    class Backend(httpcore2.NetworkBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Any:
            return stream(
                inner.connect_tcp(
                    host, port, deadline.bound(timeout), local_address, socket_options
                ),
                deadline,
            )

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Any:
            return stream(
                inner.connect_unix_socket(path, deadline.bound(timeout), socket_options), deadline
            )

        def sleep(self, seconds: float) -> None:
            inner.sleep(seconds)

    return Backend()
