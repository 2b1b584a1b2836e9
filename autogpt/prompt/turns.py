"""A past cycle as the history keeps it, and the one renderer of its messages.

A :class:`Turn` keeps the parsed reply (its ``Proposal``) and the text the model was told back
(the command's result, the user's feedback, why the reply could not be used). Its messages are
rendered here, in JSON mode or tool mode (as the reply came), in two views:

- *brief*, every turn from the start: the command the model chose and its result, without the
  thoughts that led to it (as reasoning models' APIs drop past reasoning). Only the newest plan
  is repeated, in the last message (``plan_of``). A brief view never changes, so the history only
  grows at its end and the prompt prefix stays the same from request to request (prompt caching).
- *compact*, once the history crowds the room: long arguments elided and the head of the result
  with a note, freeing most of the room without a model request (``agent/fitting.py``).

Long written texts are elided in both (``[1,700 characters, see report.md]``): the file holds
them and they would be paid for on every later request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from autogpt.prompt.context import TurnView
from autogpt.reply.parser import Proposal

ELIDE_OVER_CHARS = 600
ELIDED_ARGS = {"text", "code"}
MAX_BAD_REPLY_CHARS = 1500
ARG_KEEP_CHARS = 300
"""Any other argument longer than this is shortened (a 20,000-character file name would
otherwise ride along in every later request)."""
KEPT_CALLS = 3
"""Tool calls of one reply carried in the history; the rest are dropped there."""
CALL_ARGS_KEEP_CHARS = 300
NAME_KEEP_CHARS = 64
NOT_RUN = "Not run: one command runs per cycle."

KEEP_WHOLE = 2
"""The newest turns are never compacted."""
COMPACT_RESULT_CHARS = 300
COMPACT_ARG_CHARS = 120
PLAN_KEEP_CHARS = 1200


@dataclass(frozen=True)
class Call:
    """A tool call as the history keeps it: id, name and arguments already bounded."""

    id: str
    name: str
    arguments: str


@dataclass
class Turn:
    """One cycle: the reply (parsed, or the unusable text) and what the model was told back."""

    cycle: int
    proposal: Proposal | None
    result: str
    text: str = ""
    """For an unusable reply: its text as received (cut to ``MAX_BAD_REPLY_CHARS``)."""
    calls: tuple[Call, ...] = ()
    """The reply's other tool calls (a proposal's), or all of them (an unusable reply's)."""
    reasoning: str = ""
    """The model's ``reasoning_content`` where the provider wants it back (a tool-call turn)."""
    _views: dict[str, TurnView] = field(default_factory=dict, repr=False, compare=False)

    @property
    def tool_mode(self) -> bool:
        if self.proposal is not None:
            return self.proposal.tool_call_id is not None
        return bool(self.calls)


def bounded_calls(calls: Any) -> tuple[Call, ...]:
    """At most ``KEPT_CALLS`` calls, each with its id, name and arguments bounded."""
    return tuple(
        Call(c.id[:NAME_KEEP_CHARS], c.name[:NAME_KEEP_CHARS], c.arguments[:CALL_ARGS_KEEP_CHARS])
        for c in list(calls)[:KEPT_CALLS]
    )


def unusable_text(text: str | None) -> str:
    text = text or ""
    if len(text) > MAX_BAD_REPLY_CHARS:
        text = text[:MAX_BAD_REPLY_CHARS] + " [...]"
    return text


# --- the views ---------------------------------------------------------------------------------
def brief(turn: Turn) -> TurnView:
    """The turn without the model's thoughts (cached on it)."""
    view = turn._views.get("brief")
    if view is None:
        view = turn._views["brief"] = TurnView(_brief_messages(turn), cycle=turn.cycle)
    return view


def compact(turn: Turn) -> TurnView:
    """The short form of a turn (cached on it)."""
    view = turn._views.get("compact")
    if view is None:
        view = turn._views["compact"] = TurnView(_compact_messages(turn), cycle=turn.cycle)
    return view


def plan_of(turn: Turn) -> str:
    """The plan in the turn's reply, as bullet lines; "" when it gave none."""
    if turn.proposal is None:
        return ""
    plan = "\n".join(f"- {step}" for step in turn.proposal.thoughts.plan).strip()
    if len(plan) > PLAN_KEEP_CHARS:  # it rides in every request's last message
        plan = plan[:PLAN_KEEP_CHARS] + f" [... {len(plan):,} characters in all]"
    return plan


def describe(turn: Turn) -> str:
    """The turn as plain text for the running summary: the thought, the command, the result."""
    if turn.proposal is not None:
        decided = f"{turn.proposal.thoughts.text} -> {turn.proposal.command} "
        decided += json.dumps(canonical_args(turn.proposal), ensure_ascii=False)
    else:
        decided = turn.text
    for call in turn.calls:
        decided += f" -> {call.name} {call.arguments}"
    result = f"Result: {turn.result}" if turn.tool_mode else turn.result
    return f"I decided: {decided}\n{result}"


def canonical_args(proposal: Proposal) -> dict[str, Any]:
    """The args as the history carries them: long texts elided, any other long value cut."""
    args = {key: _short(value) for key, value in proposal.args.items()}
    for key in ELIDED_ARGS & set(args):
        value = proposal.args[key]
        if isinstance(value, str) and len(value) > ELIDE_OVER_CHARS:
            where = args.get("filename") or args.get("name") or "the file"
            args[key] = f"[{len(value):,} characters, see {_short(where)}]"
    return args


def unusable_messages(text: str, calls: tuple[Call, ...], told: str) -> list[dict[str, Any]]:
    """An unusable reply and what the model is told about it (the corrective request's tail)."""
    assistant: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        assistant["tool_calls"] = [_call_message(c) for c in calls]
    return [assistant, *_result_messages(calls, told)]


# --- rendering ---------------------------------------------------------------------------------
def _own_calls(turn: Turn) -> tuple[Call, ...]:
    """The calls the assistant message carries, the proposal's own first."""
    proposal = turn.proposal
    if proposal is None or proposal.tool_call_id is None:
        return turn.calls
    arguments = json.dumps(canonical_args(proposal), ensure_ascii=False)
    own = Call(
        proposal.tool_call_id[:NAME_KEEP_CHARS], proposal.command[:NAME_KEEP_CHARS], arguments
    )
    return (own, *turn.calls)


def _brief_messages(turn: Turn) -> list[dict[str, Any]]:
    calls = _own_calls(turn)
    proposal = turn.proposal
    if calls:
        assistant: dict[str, Any] = {
            "role": "assistant",
            "content": "",
            "tool_calls": [_call_message(c) for c in calls],
        }
        if turn.reasoning:  # DeepSeek's thinking mode answers 400 without it (llm/quirks.py)
            assistant["reasoning_content"] = turn.reasoning
    elif proposal is not None:
        command = {"name": proposal.command, "args": canonical_args(proposal)}
        assistant = {
            "role": "assistant",
            "content": json.dumps({"command": command}, ensure_ascii=False),
        }
    else:
        assistant = {"role": "assistant", "content": turn.text}
    return [assistant, *_result_messages(calls, turn.result)]


def _compact_messages(turn: Turn) -> list[dict[str, Any]]:
    calls = _own_calls(turn)
    proposal = turn.proposal
    if calls:
        short = [_compact_call(c) for c in calls]
        assistant: dict[str, Any] = {"role": "assistant", "content": "", "tool_calls": short}
    elif proposal is not None:
        args = {k: _compact_value(v) for k, v in canonical_args(proposal).items()}
        command = {"name": proposal.command, "args": args}
        assistant = {
            "role": "assistant",
            "content": json.dumps({"command": command}, ensure_ascii=False),
        }
    else:
        assistant = {"role": "assistant", "content": _unusable_compact(turn.text)}
    results = [_compact_result(m) for m in _result_messages(calls, turn.result)]
    return [assistant, *results]


def _result_messages(calls: tuple[Call, ...], text: str) -> list[dict[str, Any]]:
    """What follows the assistant's turn: tool messages for its tool calls, or a user message."""
    if not calls:
        return [{"role": "user", "content": text}]
    messages = [{"role": "tool", "tool_call_id": calls[0].id, "content": text}]
    messages += [{"role": "tool", "tool_call_id": c.id, "content": NOT_RUN} for c in calls[1:]]
    return messages


def _call_message(call: Call) -> dict[str, Any]:
    function = {"name": call.name, "arguments": call.arguments}
    return {"id": call.id, "type": "function", "function": function}


def _compact_call(call: Call) -> dict[str, Any]:
    try:
        args = json.loads(call.arguments or "{}")
        text = json.dumps({k: _compact_value(v) for k, v in args.items()}, ensure_ascii=False)
    except (ValueError, AttributeError, RecursionError):
        text = call.arguments[:COMPACT_ARG_CHARS]
    return _call_message(Call(call.id, call.name, text))


def _compact_result(message: dict[str, Any]) -> dict[str, Any]:
    content = message["content"]
    if len(content) <= COMPACT_RESULT_CHARS:
        return message
    note = f" [... shortened: {len(content):,} characters in all; repeat the command to see it]"
    return {**message, "content": content[:COMPACT_RESULT_CHARS] + note}


def _unusable_compact(text: str) -> str:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a deeply nested bad reply
        return text[:COMPACT_RESULT_CHARS]
    command = data.get("command") if isinstance(data, dict) else None
    return json.dumps({"command": command}, ensure_ascii=False) if isinstance(command, dict) else ""


def _short(value: Any) -> Any:
    text = value if isinstance(value, str) else None
    if text is None and isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        if len(text) <= ARG_KEEP_CHARS:
            return value
    if text is None or len(text) <= ARG_KEEP_CHARS:
        return value
    return text[:ARG_KEEP_CHARS] + f"... [{len(text):,} characters]"


def _compact_value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > COMPACT_ARG_CHARS:
        return value[:COMPACT_ARG_CHARS] + f"... [{len(value):,} characters]"
    return value
