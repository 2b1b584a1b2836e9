"""Which model failures are transient, how long to wait, and the one line that says so.

No prompt knowledge and no openai import: the client maps its exceptions to :class:`Failure`
and asks :class:`RetryPolicy` what to do. A configured endpoint or proxy that cannot be reached
at all (connection refused, a name that does not resolve) gets a few quick retries only: waiting
a minute does not make a wrong ``OPENAI_API_BASE`` or ``HTTP_PROXY`` right.
"""

from __future__ import annotations

import errno
import random
import re
import socket
from dataclasses import dataclass

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH}


_CANNOT_EMBED = re.compile(
    r"created with embedding=True|does not support embeddings|start it with `?--embeddings?", re.I
)
"""What a local server's 500 says when it was started without embeddings (llama-cpp-python's
``Llama model must be created with embedding=True``, llama-server's ``--embeddings``)."""


@dataclass(frozen=True)
class Failure:
    """One failed attempt, described without the openai package."""

    kind: str
    """"connection", "unreachable" (refused, unknown name), "timeout", "status", "proxy_auth",
    "too_large" (an answer past the size cap: not retried)."""
    status: int | None = None
    code: str | None = None
    message: str = ""
    retry_after: float | None = None
    endpoint: str = ""
    """The URL the request was for (the model's base URL)."""
    proxy: str | None = None
    """The proxy it went through, password masked."""
    at_proxy: bool = False
    """The failure was in reaching the proxy itself, not the endpoint behind it."""

    @property
    def retryable(self) -> bool:
        if self.kind in ("connection", "unreachable", "timeout"):
            return True
        if self.kind == "proxy_auth" or self.code == "insufficient_quota":
            return False
        if _CANNOT_EMBED.search(
            self.message
        ):  # a server without embeddings: asking again won't help
            return False
        return self.status in RETRYABLE_STATUS

    def short(self) -> str:
        if self.kind == "timeout":
            return "timed out"
        if self.kind in ("connection", "unreachable"):
            return "connection failed"
        if self.kind == "proxy_auth":
            return "proxy refused the credentials"
        if self.kind == "too_large":
            return "answer too large"
        return f"HTTP {self.status}"

    def describe(self) -> str:
        """What was tried, where, and what went wrong, in one line: ``the model at
        http://127.0.0.1:9/v1: connection refused``, ``the proxy http://p:3128 (for the model at
        …): connection refused``, ``the model at … through proxy …: HTTP 503 overloaded``."""
        model = f"the model at {self.endpoint}" if self.endpoint else "the model"
        if self.proxy and (self.at_proxy or self.kind == "proxy_auth"):
            where = f"the proxy {self.proxy} (for {model})"
        elif self.proxy:
            where = f"{model} through proxy {self.proxy}"
        else:
            where = model
        what = self.short() if self.kind == "status" else ""
        reason = " ".join(part for part in (what, self.message) if part) or self.short()
        return f"{where}: {reason}"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.25
    unreachable_retries: int = 2
    """At most this many retries, 0.5 s then 1 s apart, when nothing answers at all."""

    def retries_for(self, failure: Failure) -> int:
        """How many retries a failure of this kind gets at most (what "retry 2/6" counts to)."""
        if failure.kind == "unreachable":
            return min(self.max_retries, self.unreachable_retries)
        return self.max_retries

    def allows(self, attempt: int, failure: Failure) -> bool:
        """Whether failed attempt number ``attempt`` (1-based) is followed by a retry."""
        return failure.retryable and attempt <= self.retries_for(failure)

    def delay(self, attempt: int, failure: Failure) -> float:
        """Seconds before retry number ``attempt`` (1-based). Retry-After wins, up to max_delay."""
        if failure.retry_after is not None and failure.retry_after >= 0:
            return min(failure.retry_after, self.max_delay)
        if failure.kind == "unreachable":
            return min(0.5 * 2.0 ** (attempt - 1), self.max_delay)
        raw = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return raw * (1 + random.uniform(-self.jitter, self.jitter))


def unreachable_reason(exc: BaseException) -> str | None:
    """ "connection refused", "name not resolved" … when ``exc`` (or what caused it) says nothing
    answered at all; None for other failures (a dropped connection, a reset, a timeout)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "name not resolved"
        if isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNOS:
            return {
                errno.ECONNREFUSED: "connection refused",
                errno.ENETUNREACH: "network unreachable",
            }.get(current.errno, "no route to host")
        text = str(current)
        if "Connection refused" in text or "[Errno 111]" in text:
            return "connection refused"
        if (
            "Name or service not known" in text
            or "Temporary failure in name resolution" in text
            or "No address associated with hostname" in text
            or "[Errno -2]" in text
            or "[Errno -3]" in text
        ):
            return "name not resolved"
        current = current.__cause__ or current.__context__
    return None


def root_cause(exc: BaseException) -> str:
    seen = exc
    while seen.__cause__ is not None:
        seen = seen.__cause__
    text = str(seen) or type(seen).__name__
    return text if seen is not exc else (str(exc) or "connection error")


def is_proxy_error(exc: BaseException) -> bool:
    """Whether ``exc`` came from the proxy's answer (httpx's ProxyError), not from the socket."""
    current: BaseException | None = exc
    while current is not None:
        if type(current).__name__ == "ProxyError":
            return True
        current = current.__cause__ or current.__context__
    return False


def is_proxy_auth_refusal(exc: BaseException) -> bool:
    """A CONNECT answered 407, or a SOCKS5 proxy that refused the user name and password."""
    if not is_proxy_error(exc):
        return False
    text = root_cause(exc).lower()
    return "407" in text or "authentication" in text or "password" in text


def parse_retry_after(headers: object) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds) from a headers mapping, if any."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    return None
