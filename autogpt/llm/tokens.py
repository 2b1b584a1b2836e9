"""Token counting: tiktoken when its rank files can be had, else a conservative estimator.

Counting is deliberately pessimistic, as strict servers are: 4 tokens of overhead per message
(the cookbook says 3), the reply priming, and tool schemas as their ``json.dumps`` text plus a
margin (OpenAI does not publish how it counts them).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)

PER_MESSAGE = 4
REPLY_PRIMING = 3
TOOLS_MARGIN = 1.1
TOOLS_FIXED = 16


class Encoder(Protocol):
    def count(self, text: str) -> int: ...


class _Tiktoken:
    def __init__(self, encoding: Any) -> None:
        self._enc = encoding

    def count(self, text: str) -> int:
        return len(self._enc.encode(text, disallowed_special=()))


class _Estimator:
    """Over-counts on purpose: one token per CJK character, ~3 bytes per token otherwise."""

    def count(self, text: str) -> int:
        cjk = sum(1 for ch in text if ord(ch) >= 0x2E80)
        other = len(text.encode("utf-8")) - 3 * cjk
        return cjk + max(0, other) // 3 + 1


_cache: dict[str, Encoder] = {}
_lock = threading.Lock()


def encoder(encoding_name: str) -> Encoder:
    """The encoder for an encoding name; loaded once, falls back to the estimator offline."""
    with _lock:
        found = _cache.get(encoding_name)
        if found is None:
            found = _load(encoding_name)
            _cache[encoding_name] = found
        return found


def _load(encoding_name: str) -> Encoder:
    try:
        import tiktoken

        return _Tiktoken(tiktoken.get_encoding(encoding_name))
    except Exception as exc:  # no rank files offline, or no tiktoken: estimate instead
        log.debug(
            "tiktoken %s unavailable (%s); counting with a conservative estimator",
            encoding_name,
            type(exc).__name__,
        )
        return _Estimator()


def preload(encoding_name: str) -> None:
    """Load the tokenizer in a background thread, off the path to the first request."""
    threading.Thread(target=encoder, args=(encoding_name,), daemon=True).start()


MEMO_SIZE = 2048


class TokenCounter:
    """Counts chat requests the way the budget needs: conservatively.

    Counts are remembered per text: a cycle counts the same history several times (fitting,
    then the request itself), and the history is the same from cycle to cycle.
    """

    def __init__(self, encoding_name: str) -> None:
        self.encoding_name = encoding_name
        self._memo: dict[str, int] = {}

    def text(self, text: str) -> int:
        if not text:
            return 0
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[text] = encoder(self.encoding_name).count(text)
        return found

    def message(self, message: dict[str, Any]) -> int:
        count = self.text
        total = PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                total += count(value)
            elif key == "tool_calls" and value:
                for call in value:
                    fn = call.get("function", {})
                    total += count(fn.get("name", "")) + count(fn.get("arguments", ""))
                    total += count(call.get("id", "")) + 3
            elif isinstance(value, list):
                total += sum(count(p.get("text", "")) for p in value if isinstance(p, dict))
            if key == "name":
                total += 1
        return total

    def messages(self, messages: Sequence[dict[str, Any]]) -> int:
        return sum(self.message(m) for m in messages) + REPLY_PRIMING

    def tools(self, tools: Sequence[dict[str, Any]] | None) -> int:
        if not tools:
            return 0
        return int(self.text(json.dumps(list(tools))) * TOOLS_MARGIN) + TOOLS_FIXED
