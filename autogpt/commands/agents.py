"""Helper agents: start_agent, message_agent, list_agents, delete_agent (Auto-GPT's names).

A helper is a plain conversation of its own on the model the run's flags select (no tools, no
commands, not our system prompt), reached through ``ctx.helper_agents``: every request is
budget-checked and counted, and every change is an event, so ``--resume`` restores them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from autogpt.commands.context import CommandContext, HelperAgents
from autogpt.commands.registry import command
from autogpt.errors import CommandError
from autogpt.events import HelperDeleted, HelperReplied, HelperStarted
from autogpt.prompt.helper_chats import HelperChat, HelperChats, fit, opening_message

MAX_NAME_CHARS = 60
Name = Annotated[str, Field(description="a short name for the helper, e.g. 'researcher'")]
Task = Annotated[str, Field(description="the helper's task, in a sentence")]
Prompt = Annotated[str, Field(description="the first message to the helper")]


def _number_as_text(value: Any) -> Any:
    """Models often send the key as a number (``{"key": 1}``)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Key = Annotated[
    str,
    BeforeValidator(_number_as_text),
    Field(description="the key start_agent returned, or the helper's name"),
]


def _off(ctx: CommandContext) -> str | None:
    """From the settings, so that the run's choice of tool calls counts these schemas too."""
    return (
        None
        if ctx.settings.max_helper_agents > 0
        else "helper agents are off (MAX_HELPER_AGENTS=0)"
    )


@command(available=_off)
def start_agent(ctx: CommandContext, name: Name, task: Task, prompt: Prompt) -> str:
    """Start a helper agent (a plain conversation with a language model, without commands) and
    send it its first message; returns its key and first reply."""
    door = _door(ctx)
    chats = door.chats()
    name = " ".join(name.split())
    if not name:
        raise CommandError("start_agent: the name is empty; give the helper a short name.")
    if name.isdigit():
        raise CommandError(f"start_agent: {name!r} would be mistaken for a key; use a word.")
    if len(name) > MAX_NAME_CHARS:
        raise CommandError(
            f"start_agent: the name is too long; use at most {MAX_NAME_CHARS} characters."
        )
    clash = chats.find(name)
    if clash is not None:
        raise CommandError(
            f"A helper agent named {name!r} is already running (key {clash.key}); message it "
            "with message_agent, or choose another name."
        )
    if len(chats.chats) >= door.limit:
        raise CommandError(
            f"At most {door.limit} helper agents may run at once (MAX_HELPER_AGENTS); delete "
            f"one with delete_agent first. Running: {chats.describe()}."
        )
    opening = opening_message(name, task, prompt)
    messages = [{"role": "user", "content": opening}]
    _check_room(door, door.count(messages), "the task and prompt")
    reply = door.ask(messages) or "(no reply)"
    key = chats.next_key()
    door.record(HelperStarted(key=key, name=name, task=task, opening=opening, reply=reply))
    return f"Agent {name} created with key {key}. First response: {reply}"


@command(available=_off)
def message_agent(ctx: CommandContext, key: Key, message: str) -> str:
    """Send a message to a helper agent and return its reply (it remembers the conversation)."""
    door = _door(ctx)
    chat = _find(door.chats(), key)
    leave_out = fit(chat, message, door.count, door.room())
    if leave_out is None:
        size = door.count(chat.messages(message, leave_out=chat.kept))
        _check_room(door, size, "the message")
    dropped = leave_out or 0
    reply = door.ask(chat.messages(message, leave_out=dropped)) or "(no reply)"
    door.record(HelperReplied(key=chat.key, message=message, reply=reply, dropped=dropped))
    note = (
        f"\n(Note: {chat.dropped} of its oldest exchanges are no longer in its memory, to fit "
        "its context window.)"
        if dropped
        else ""
    )
    return f"Agent {chat.name} (key {chat.key}) replied: {reply}{note}"


@command(available=_off)
def list_agents(ctx: CommandContext) -> str:
    """List the running helper agents: key, name and task."""
    door = _door(ctx)
    chats = door.chats().chats.values()
    if not chats:
        return f"No helper agents are running (at most {door.limit}; start one with start_agent)."
    lines = "\n".join(f"{c.key}: {c.name} - {_short(c.task)}" for c in chats)
    return f"List of agents ({len(chats)} of at most {door.limit}):\n{lines}"


@command(available=_off)
def delete_agent(ctx: CommandContext, key: Key) -> str:
    """Delete a helper agent and its conversation."""
    door = _door(ctx)
    chat = _find(door.chats(), key)
    door.record(HelperDeleted(key=chat.key))
    return f"Agent {chat.name} (key {chat.key}) deleted."


def _door(ctx: CommandContext) -> HelperAgents:
    if ctx.helper_agents is None:  # a context without a run to record them in
        raise CommandError("helper agents are not available here (no run records them)")
    return ctx.helper_agents


def _find(chats: HelperChats, key: str) -> HelperChat:
    chat = chats.find(key)
    if chat is not None:
        return chat
    if not chats.chats:
        raise CommandError(
            f"No helper agent has the key or name {key!r}: none is running; start one with "
            "start_agent."
        )
    raise CommandError(f"No helper agent has the key or name {key!r}. Known: {chats.describe()}.")


def _check_room(door: HelperAgents, size: int, what: str) -> None:
    room = door.room()
    if size > room:
        raise CommandError(
            f"{what.capitalize()} take {size:,} tokens, more than the {room:,} a helper's "
            "request may take; send something shorter."
        )


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
