"""Fits system prompt + running summary + history + next-step message into the token budget.

Pure: no I/O. The rule every request satisfies::

    prompt tokens (messages + tool schemas + per-message overhead) + max_tokens <= limit

where ``limit = min(model window, configured token limit)``.

Prompt caching serves a request's tokens that are an unchanged prefix of the previous request's,
so the history changes in rare batches with hysteresis (as Claude Code and Codex CLI compact):
between them a request only appends to the one before. A batch (a *compaction point*, decided by
the caller from ``Fit.crowded``) comes once the history passes ``HIGH_WATER`` of its room: the
older turns are shortened (the prompt changes from the first of them on) and, if the history
still does not fit, the oldest are dropped down to ``LOW_WATER`` (the caller folds them into the
running summary, right after the system prompt: the one change of the whole history, so it is
done in large, rare batches). The most recent turns stay word for word, and the system prompt
stays first and unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autogpt.llm.tokens import TokenCounter

HIGH_WATER = 0.9
"""Past this share of the history's room, a compaction point: the prompt's prefix changes here
(and where the history no longer fits at all) and nowhere else."""
LOW_WATER = 0.3
"""A fold leaves the history within this share of its room (less the summary's headroom): the
gap to the full room is the run of cycles before the next fold."""
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
    room: int = 0
    """What the turns may take in this request (the room less system, summary and tail)."""

    @property
    def crowded(self) -> bool:
        """The history is past the high-water mark: time for a compaction point."""
        return self.history_tokens > HIGH_WATER * self.room


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
    """Choose how many old turns to drop so the request fits; build the messages: nothing while
    the turns fit, else the oldest, until the rest is within the low-water mark."""
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
        target = int((room - headroom) * LOW_WATER)
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
        room=room,
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
