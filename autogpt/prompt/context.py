"""Fits system prompt + running summary + history + next-step message into the token budget.

Pure: no I/O. The rule every request satisfies::

    prompt tokens (messages + tool schemas + per-message overhead) + max_tokens <= limit

where ``limit = min(model window, configured token limit)``. When the history no longer fits,
the oldest turns are dropped, enough to get back to ``TARGET_SHARE`` of the room (so summaries
are rare and prompts stay short); the caller folds them into the running summary. The most recent
turns stay word for word, and the system prompt stays first and unchanged (prompt caching).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autogpt.llm.tokens import TokenCounter

TARGET_SHARE = 0.6
HISTORY_SHARE = 0.4
"""Past this share of the limit, old turns are compacted (no request needed): prompts stay short
and cheap; folding into the summary waits until the whole room is used."""
SUMMARY_MAX_TOKENS = 400


def summary_reserve(limit: int) -> int:
    """Tokens the running summary may take: up to 400, less on small local models."""
    return max(100, min(SUMMARY_MAX_TOKENS, limit // 10))


SUMMARY_PREFIX = "This reminds you of these events from your past:\n"
OPENING = "Begin working on your goals."


@dataclass
class TurnView:
    """One cycle's messages as a request carries them (``prompt/turns.py`` renders them): the
    assistant's reply, then the command result / human feedback."""

    messages: list[dict[str, Any]]
    cycle: int = 0
    _tokens: int | None = field(default=None, repr=False)

    def tokens(self, counter: TokenCounter) -> int:
        if self._tokens is None:
            self._tokens = sum(counter.message(m) for m in self.messages)
        return self._tokens


@dataclass(frozen=True)
class Budget:
    limit: int
    reply_tokens: int
    tools_tokens: int = 0

    @property
    def prompt_room(self) -> int:
        return self.limit - self.reply_tokens - self.tools_tokens


@dataclass(frozen=True)
class Fit:
    messages: list[dict[str, Any]]
    drop: int
    """How many of the oldest given turns did not fit and must be folded into the summary."""
    prompt_tokens: int
    history_tokens: int = 0
    """What the kept turns take."""


def opening_message(summary: str | None) -> dict[str, str]:
    if summary:
        return {"role": "user", "content": SUMMARY_PREFIX + summary}
    return {"role": "user", "content": OPENING}


def assemble(
    system: str, summary: str | None, turns: Sequence[TurnView], tail: str
) -> list[dict[str, Any]]:
    """system, opening (summary), turns..., then the next-step text as the last user message.

    When the last turn ends with a user message (a result or feedback), the next-step text is
    appended to it, so the result is what the request carries last; a tool result is followed by
    a user message.
    """
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    messages.append(opening_message(summary))
    for turn in turns:
        messages.extend(turn.messages)
    last = messages[-1]
    if last["role"] == "user":
        messages[-1] = {**last, "content": f"{last['content']}\n\n{tail}"}
    else:
        messages.append({"role": "user", "content": tail})
    return messages


def fit(
    *,
    system: str,
    summary: str | None,
    turns: Sequence[TurnView],
    tail: str,
    budget: Budget,
    counter: TokenCounter,
) -> Fit:
    """Choose how many old turns to drop so the request fits; build the messages."""
    summary_tokens = counter.text(summary) if summary else 0
    fixed = (
        counter.messages([{"role": "system", "content": system}])
        + counter.message({"role": "user", "content": SUMMARY_PREFIX})
        + summary_tokens
        + counter.text(tail)
        + 8
    )
    room = budget.prompt_room - fixed
    sizes = [t.tokens(counter) for t in turns]
    drop = 0
    if sum(sizes) > room:
        # Leave headroom for the summary to grow by what is folded into it.
        headroom = max(0, summary_reserve(budget.limit) - summary_tokens)
        target = int((room - headroom) * TARGET_SHARE)
        remaining = sum(sizes)
        # Keep the newest turn (results are capped so one turn fits) unless it alone does not
        # fit: a turn from an older journal, say; then it is folded into the summary too.
        while (
            drop < len(turns) and remaining > target and (drop < len(turns) - 1 or remaining > room)
        ):
            remaining -= sizes[drop]
            drop += 1
    kept = list(turns[drop:])
    messages = assemble(system, summary, kept, tail)
    return Fit(
        messages=messages,
        drop=drop,
        prompt_tokens=counter.messages(messages),
        history_tokens=sum(sizes[drop:]),
    )


REPLY_MAX_TOKENS = 2048
REASONING_REPLY_MAX_TOKENS = 8192
"""A reasoning model's hidden reasoning counts against its reply's cap, so it gets more room."""


def reply_reserve(limit: int, max_output: int, *, reasoning: bool = False) -> int:
    """Tokens kept for the model's reply: a fifth of the limit (a quarter for a reasoning
    model), within sensible bounds (long texts are written in parts; a reply cut at this length
    never runs a write)."""
    if reasoning:
        return max(256, min(limit // 4, max_output, REASONING_REPLY_MAX_TOKENS))
    return max(256, min(limit // 5, max_output, REPLY_MAX_TOKENS))
