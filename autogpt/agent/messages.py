"""How replies and results are stored in the history, in JSON mode and in tool-call mode.

A parsed reply is stored in a canonical form (thoughts + command as JSON), so the history teaches
the model the format by example; long written texts are elided there (``[1,700 characters, see
report.md]``) because the file holds them and they would be paid for on every later request.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from autogpt.llm.types import ChatReply
from autogpt.reply.parser import Proposal

ELIDE_OVER_CHARS = 600
ELIDED_ARGS = {"text", "code"}
MAX_BAD_REPLY_CHARS = 1500


def canonical_args(proposal: Proposal) -> dict[str, Any]:
    args = dict(proposal.args)
    for key in ELIDED_ARGS & set(args):
        value = args[key]
        if isinstance(value, str) and len(value) > ELIDE_OVER_CHARS:
            where = args.get("filename") or args.get("name") or "the file"
            args[key] = f"[{len(value):,} characters, see {where}]"
    return args


def thoughts_json(proposal: Proposal) -> dict[str, Any]:
    thoughts = asdict(proposal.thoughts)
    thoughts["plan"] = "\n".join(f"- {p}" for p in proposal.thoughts.plan)
    return thoughts


def assistant_message(reply: ChatReply, proposal: Proposal | None) -> dict[str, Any]:
    """The assistant's turn as it goes into the history."""
    if proposal is None:
        text = reply.text or ""
        if len(text) > MAX_BAD_REPLY_CHARS:
            text = text[:MAX_BAD_REPLY_CHARS] + " [...]"
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if reply.tool_calls:
            message["tool_calls"] = [_tool_call(c.id, c.name, c.arguments[:500])
                                     for c in reply.tool_calls]
        return message
    args = canonical_args(proposal)
    if proposal.tool_call_id is not None:
        content = json.dumps({"thoughts": thoughts_json(proposal)}, ensure_ascii=False)
        return {
            "role": "assistant",
            "content": content,
            "tool_calls": [_tool_call(proposal.tool_call_id, proposal.command,
                                      json.dumps(args, ensure_ascii=False))]
            + [_tool_call(c.id, c.name, c.arguments[:500]) for c in reply.tool_calls
               if c.id != proposal.tool_call_id],
        }
    body = {"thoughts": thoughts_json(proposal), "command": {"name": proposal.command,
                                                             "args": args}}
    return {"role": "assistant", "content": json.dumps(body, ensure_ascii=False)}


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def result_messages(assistant: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """What follows the assistant's turn: tool messages for its tool calls, or a user message."""
    calls = assistant.get("tool_calls") or []
    if not calls:
        return [{"role": "user", "content": text}]
    messages = [{"role": "tool", "tool_call_id": calls[0]["id"], "content": text}]
    for call in calls[1:]:
        messages.append({"role": "tool", "tool_call_id": call["id"],
                         "content": "Not run: one command runs per cycle."})
    return messages
