"""Which model failures are transient, how long to wait, and the one line that says so.

No prompt knowledge and no openai import: the client maps its exceptions to :class:`Failure`
and asks :class:`RetryPolicy` what to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Failure:
    """One failed attempt, described without the openai package."""

    kind: str
    """"connection", "timeout", "status"."""
    status: int | None = None
    code: str | None = None
    message: str = ""
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        if self.kind in ("connection", "timeout"):
            return True
        if self.code == "insufficient_quota":
            return False
        return self.status in RETRYABLE_STATUS

    def short(self) -> str:
        if self.kind == "timeout":
            return "timed out"
        if self.kind == "connection":
            return "connection failed"
        return f"HTTP {self.status}"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.25

    def delay(self, attempt: int, failure: Failure) -> float:
        """Seconds before retry number ``attempt`` (1-based). Retry-After wins, up to max_delay."""
        if failure.retry_after is not None and failure.retry_after >= 0:
            return min(failure.retry_after, self.max_delay)
        raw = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return raw * (1 + random.uniform(-self.jitter, self.jitter))


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
