"""The helper agents' conversations (``start_agent`` and friends): what each one sends.

A helper is a plain conversation with the run's fast model: no system prompt of ours, no tools.
Its first user message is built from its name, task and prompt (as Auto-GPT's ``start_agent``
did, in one request instead of two). It is kept within the window by trimming: the oldest
exchanges are left out (the first message, which carries the task, always stays, with a note
saying how many were left out). Pure: the run state holds these, changed only by its events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Messages = list[dict[str, str]]

DROPPED_NOTE = (
    "\n\n[Note: the {count} oldest exchange(s) of this conversation were left out to fit the "
    "context window; the most recent ones follow.]"
)


def opening_message(name: str, task: str, prompt: str) -> str:
    """The helper's first user message: who it is, its task, then what it is asked."""
    return f"You are {name}. Your task is as follows: {task}\n\n{prompt}"


@dataclass
class HelperChat:
    key: str
    name: str
    task: str
    opening: str
    first_reply: str | None
    """None once it was left out to fit the window."""
    exchanges: list[tuple[str, str]] = field(default_factory=list)
    """(message, reply) after the first one, those still sent."""
    dropped: int = 0
    """Exchanges left out so far (the first reply counts as one)."""

    def messages(self, new: str | None = None, *, leave_out: int = 0) -> Messages:
        """What a request carries: the opening, the kept exchanges (``leave_out`` more of the
        oldest left out), then ``new``."""
        first = [(None, self.first_reply)] if self.first_reply is not None else []
        pairs: list[tuple[str | None, str]] = [*first, *self.exchanges]
        dropped = self.dropped + min(leave_out, len(pairs))
        note = DROPPED_NOTE.format(count=dropped) if dropped else ""
        out: Messages = [{"role": "user", "content": self.opening + note}]
        for message, reply in pairs[leave_out:]:
            if message is not None:
                out.append({"role": "user", "content": message})
            out.append({"role": "assistant", "content": reply})
        if new is not None:
            out.append({"role": "user", "content": new})
        return out

    def leave_out(self, count: int) -> None:
        """Drop the ``count`` oldest exchanges for good."""
        count = min(count, self.kept)
        if count and self.first_reply is not None:
            self.first_reply = None
            del self.exchanges[: count - 1]
        else:
            del self.exchanges[:count]
        self.dropped += count

    @property
    def kept(self) -> int:
        return len(self.exchanges) + (self.first_reply is not None)


def fit(chat: HelperChat, new: str, count: Callable[[Messages], int], room: int) -> int | None:
    """How many more of the oldest exchanges to leave out so that the request with ``new`` takes
    at most ``room`` tokens; None when even the opening and ``new`` alone do not fit."""
    for leave_out in range(chat.kept + 1):
        if count(chat.messages(new, leave_out=leave_out)) <= room:
            return leave_out
    return None


@dataclass
class HelperChats:
    """The live helpers by key, and how many were ever started (keys are never reused)."""

    chats: dict[str, HelperChat] = field(default_factory=dict)
    started: int = 0

    def next_key(self) -> str:
        return str(self.started + 1)

    def find(self, key_or_name: str) -> HelperChat | None:
        wanted = key_or_name.strip()
        if wanted in self.chats:
            return self.chats[wanted]
        named = [c for c in self.chats.values() if c.name.casefold() == wanted.casefold()]
        return named[0] if len(named) == 1 else None

    def describe(self) -> str:
        """'1 (researcher: find prices), 2 (...)'."""
        return ", ".join(f"{c.key} ({c.name}: {_short(c.task)})" for c in self.chats.values())

    def start(self, chat: HelperChat) -> None:
        self.chats[chat.key] = chat
        if chat.key.isdigit():
            self.started = max(self.started, int(chat.key))

    def reply(self, key: str, message: str, reply: str, dropped: int) -> None:
        chat = self.chats.get(key)
        if chat is not None:
            chat.leave_out(dropped)
            chat.exchanges.append((message, reply))

    def delete(self, key: str) -> None:
        self.chats.pop(key, None)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
