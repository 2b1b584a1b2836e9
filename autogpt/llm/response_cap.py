"""A cap on the size of one answer from the model endpoint.

The SDK reads a whole answer into memory before we see it, so a broken or hostile endpoint that
streams gigabytes would take the agent's memory with it. A real chat answer is a few kilobytes
(at most ``max_tokens`` of text); an embeddings answer for a batch a few megabytes. The cap sits
in the HTTP transport: the answer is cut off as soon as it passes the cap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class ResponseTooLarge(Exception):
    """The endpoint's answer passed :data:`MAX_RESPONSE_BYTES`."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"its answer was larger than {cap // (1024 * 1024)} MB")
        self.cap = cap


def capped_transport(proxy: str | None, cap: int | None = None) -> httpx2.BaseTransport:
    """An HTTP transport (through ``proxy``, if given) whose answers stop at ``cap`` bytes
    (:data:`MAX_RESPONSE_BYTES` unless given)."""
    import httpx2

    limit = cap or MAX_RESPONSE_BYTES

    class CappedStream(httpx2.SyncByteStream):
        def __init__(self, stream: httpx2.SyncByteStream) -> None:
            self.stream = stream

        def __iter__(self) -> Iterator[bytes]:
            total = 0
            for chunk in self.stream:
                total += len(chunk)
                if total > limit:
                    raise ResponseTooLarge(limit)
                yield chunk

        def close(self) -> None:
            self.stream.close()

    class CappedTransport(httpx2.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx2.HTTPTransport(proxy=proxy, trust_env=False)

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            response = self.inner.handle_request(request)
            if isinstance(response.stream, httpx2.SyncByteStream):
                response.stream = CappedStream(response.stream)
            return response

        def close(self) -> None:
            self.inner.close()

    return CappedTransport()


def http_client(base: type, proxy: str | None) -> Any:
    """The SDK's HTTP client with the proxy ``config.proxy`` chose (not httpx's own reading of
    the environment), closed when dropped, as the SDK closes the one it makes itself."""

    class _Client(base):  # type: ignore[misc]  # a base class chosen at run time
        def __del__(self) -> None:
            if not self.is_closed:
                with contextlib.suppress(Exception):
                    self.close()

    return _Client(transport=capped_transport(proxy), trust_env=False)
