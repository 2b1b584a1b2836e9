"""How past turns are carried in the prompt: brief from the start, compacted when crowded.

Every turn is carried in its *brief* form: the command the model chose and its result, without
the thoughts that led to it (as reasoning models' APIs drop past reasoning); only the newest
plan is repeated, in the last message (``plan_of``). A turn's brief form never changes, so the
history only grows at its end and the prompt prefix stays the same from request to request
(prompt caching).

When the history passes ``HISTORY_SHARE`` of the limit or no longer fits, turns older than the
newest ``KEEP_WHOLE`` are replaced, all at once, by a short form: the command with long arguments
elided and the head of its result with a note. That frees most of the room without a model
request; only if it is still not enough are the oldest turns folded into the running summary.
Compaction happens only on crowded cycles, so the prefix stays stable in between, and the newest
turns stay word for word.
"""

from __future__ import annotations

import json
from typing import Any

from autogpt.prompt.context import Turn

KEEP_WHOLE = 2
RESULT_KEEP_CHARS = 300
ARG_KEEP_CHARS = 120
PLAN_KEEP_CHARS = 1200


def brief(turn: Turn) -> Turn:
    """The turn without the model's thoughts (cached on it)."""
    if turn.brief is None:
        turn.brief = Turn([_brief_message(m) for m in turn.messages], cycle=turn.cycle)
    return turn.brief


def plan_of(turn: Turn) -> str:
    """The plan in the turn's reply, as bullet lines; "" when it gave none."""
    data = _reply_json(turn.messages[0].get("content") or "") if turn.messages else None
    thoughts = data.get("thoughts") if data else None
    plan = thoughts.get("plan") if isinstance(thoughts, dict) else None
    if isinstance(plan, list):
        plan = "\n".join(f"- {step}" for step in plan)
    plan = plan.strip() if isinstance(plan, str) else ""
    if len(plan) > PLAN_KEEP_CHARS:  # it rides in every request's last message
        plan = plan[:PLAN_KEEP_CHARS] + f" [... {len(plan):,} characters in all]"
    return plan


def compact(turn: Turn) -> Turn:
    """The short form of a turn (cached on it)."""
    if turn.compacted is None:
        turn.compacted = Turn([_compact_message(m) for m in turn.messages], cycle=turn.cycle)
    return turn.compacted


def _brief_message(message: dict[str, Any]) -> dict[str, Any]:
    if message.get("role") != "assistant":
        return message
    content = message.get("content") or ""
    if message.get("tool_calls"):
        return {**message, "content": ""}
    data = _reply_json(content)
    if data is None or not isinstance(data.get("command"), dict):
        return message  # not a parsed reply (an unusable one): carried as it was
    return {**message, "content": json.dumps({"command": data["command"]}, ensure_ascii=False)}


def _reply_json(content: str) -> dict[str, Any] | None:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: a deeply nested bad reply
        return None
    return data if isinstance(data, dict) else None


def _compact_message(message: dict[str, Any]) -> dict[str, Any]:
    role = message.get("role")
    content = message.get("content") or ""
    if role == "assistant":
        out: dict[str, Any] = {"role": "assistant", "content": _command_only(content)}
        if message.get("tool_calls"):
            out["tool_calls"] = [_short_call(c) for c in message["tool_calls"]]
            out["content"] = ""
        return out
    if len(content) <= RESULT_KEEP_CHARS:
        return dict(message)
    note = f" [... shortened: {len(content):,} characters in all; repeat the command to see it]"
    return {**message, "content": content[:RESULT_KEEP_CHARS] + note}


def _command_only(content: str) -> str:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: a deeply nested bad reply
        return content[:RESULT_KEEP_CHARS]
    command = data.get("command") if isinstance(data, dict) else None
    if not isinstance(command, dict):
        return ""
    args = {k: _short(v) for k, v in (command.get("args") or {}).items()}
    return json.dumps({"command": {"name": command.get("name"), "args": args}}, ensure_ascii=False)


def _short_call(call: dict[str, Any]) -> dict[str, Any]:
    fn = call.get("function", {})
    try:
        args = json.loads(fn.get("arguments") or "{}")
        text = json.dumps({k: _short(v) for k, v in args.items()}, ensure_ascii=False)
    except (ValueError, AttributeError, RecursionError):
        text = (fn.get("arguments") or "")[:ARG_KEEP_CHARS]
    return {**call, "function": {"name": fn.get("name", ""), "arguments": text}}


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > ARG_KEEP_CHARS:
        return value[:ARG_KEEP_CHARS] + f"... [{len(value):,} characters]"
    return value
