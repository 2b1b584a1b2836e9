"""How replies and results are stored in the history, in JSON mode and in tool-call mode.

A parsed reply is stored in a canonical form (thoughts + command as JSON), so the history teaches
the model the format by example; long written texts are elided there (``[1,700 characters, see
report.md]``) because the file holds them and they would be paid for on every later request.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from autogpt.llm.quirks import passes_reasoning_back
from autogpt.llm.types import ChatReply, ToolCall
from autogpt.reply.parser import Proposal

ELIDE_OVER_CHARS = 600
ELIDED_ARGS = {"text", "code"}
MAX_BAD_REPLY_CHARS = 1500
ARG_KEEP_CHARS = 300
"""Any other argument longer than this is shortened in the history (a 20,000-character file name
would otherwise ride along in every later request)."""
KEPT_CALLS = 3
"""Tool calls of one reply carried in the history; the rest are dropped there."""
CALL_ARGS_KEEP_CHARS = 300
NAME_KEEP_CHARS = 64
MAX_REASONING_CHARS = 20000


def canonical_args(proposal: Proposal) -> dict[str, Any]:
    """The args as the history carries them: long texts elided, any other long value cut."""
    args = {key: _short(value) for key, value in proposal.args.items()}
    for key in ELIDED_ARGS & set(args):
        value = proposal.args[key]
        if isinstance(value, str) and len(value) > ELIDE_OVER_CHARS:
            where = args.get("filename") or args.get("name") or "the file"
            args[key] = f"[{len(value):,} characters, see {_short(where)}]"
    return args


def _short(value: Any) -> Any:
    text = value if isinstance(value, str) else None
    if text is None and isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        if len(text) <= ARG_KEEP_CHARS:
            return value
    if text is None or len(text) <= ARG_KEEP_CHARS:
        return value
    return text[:ARG_KEEP_CHARS] + f"... [{len(text):,} characters]"


def thoughts_json(proposal: Proposal) -> dict[str, Any]:
    thoughts = asdict(proposal.thoughts)
    thoughts["plan"] = "\n".join(f"- {p}" for p in proposal.thoughts.plan)
    return thoughts


def assistant_message(reply: ChatReply, proposal: Proposal | None) -> dict[str, Any]:
    """The assistant's turn as it goes into the history; a tool-call turn carries the model's
    ``reasoning_content`` back where the provider requires it (DeepSeek's thinking mode)."""
    message = _assistant_turn(reply, proposal)
    if reply.reasoning and message.get("tool_calls") and passes_reasoning_back(reply.model):
        message["reasoning_content"] = reply.reasoning[:MAX_REASONING_CHARS]
    return message


def _assistant_turn(reply: ChatReply, proposal: Proposal | None) -> dict[str, Any]:
    if proposal is None:
        text = reply.text or ""
        if len(text) > MAX_BAD_REPLY_CHARS:
            text = text[:MAX_BAD_REPLY_CHARS] + " [...]"
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if reply.tool_calls:
            message["tool_calls"] = [_short_call(c) for c in reply.tool_calls[:KEPT_CALLS]]
        return message
    args = canonical_args(proposal)
    if proposal.tool_call_id is not None:
        content = json.dumps({"thoughts": thoughts_json(proposal)}, ensure_ascii=False)
        return {
            "role": "assistant",
            "content": content,
            "tool_calls": [
                _tool_call(
                    proposal.tool_call_id, proposal.command, json.dumps(args, ensure_ascii=False)
                )
            ]
            + [
                _short_call(c)
                for c in reply.tool_calls[:KEPT_CALLS]
                if c.id != proposal.tool_call_id
            ],
        }
    body = {
        "thoughts": thoughts_json(proposal),
        "command": {"name": proposal.command, "args": args},
    }
    return {"role": "assistant", "content": json.dumps(body, ensure_ascii=False)}


def _short_call(call: ToolCall) -> dict[str, Any]:
    return _tool_call(call.id, call.name, call.arguments[:CALL_ARGS_KEEP_CHARS])


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """One call as the history carries it (id and name bounded)."""
    function = {"name": name[:NAME_KEEP_CHARS], "arguments": arguments}
    return {"id": call_id[:NAME_KEEP_CHARS], "type": "function", "function": function}


def result_messages(assistant: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """What follows the assistant's turn: tool messages for its tool calls, or a user message."""
    calls = assistant.get("tool_calls") or []
    if not calls:
        return [{"role": "user", "content": text}]
    messages = [{"role": "tool", "tool_call_id": calls[0]["id"], "content": text}]
    for call in calls[1:]:
        messages.append(
            {
                "role": "tool",
                "tool_call_id": call["id"],
                "content": "Not run: one command runs per cycle.",
            }
        )
    return messages
