"""What the OpenAI service rejects in a chat-completions request, with its own wording.

The test model server answers such a request with 400, as the service would, and fails the test
(``assert_complete``): our client must never send one. Only rules a client can plausibly break
are checked: message roles and content, tool results that answer no call or calls left
unanswered, tool names, ``tool_choice`` without tools, ``max_tokens`` below 1, ``stream_options``
without ``stream``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Invalid:
    message: str
    param: str | None = None


def validate_chat(body: Any) -> Invalid | None:
    """The first reason OpenAI would refuse this request body, or None."""
    if not isinstance(body, dict):
        return Invalid("We could not parse the JSON body of your request.")
    if not isinstance(body.get("model"), str) or not body["model"]:
        return Invalid("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list):
        return Invalid("Missing required parameter: 'messages'.", "messages")
    if not messages:
        return Invalid("[] is too short - 'messages'", "messages")
    if body.get("stream_options") is not None and not body.get("stream"):
        return Invalid(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
        )
    return _check_messages(messages) or _check_tools(body) or _check_max_tokens(body)


def _check_messages(messages: list[Any]) -> Invalid | None:
    pending: list[object] = []  # tool_call ids of the last assistant message not yet answered
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return Invalid(
                f"Invalid type for 'messages[{i}]': expected an object.", f"messages[{i}]"
            )
        role = message.get("role")
        if role not in ROLES:
            allowed = ", ".join(f"'{r}'" for r in ROLES)
            return Invalid(
                f"Invalid value: '{role}'. Supported values are: {allowed}.", f"messages[{i}].role"
            )
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return Invalid(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    f"messages.[{i}].role",
                )
            pending.remove(message["tool_call_id"])
        elif pending:
            return _unanswered(pending, i)
        problem = _check_content(message, i)
        if problem:
            return problem
        if role == "assistant" and message.get("tool_calls"):
            pending = [c.get("id") for c in message["tool_calls"] if isinstance(c, dict)]
    return _unanswered(pending, len(messages)) if pending else None


def _unanswered(pending: list[object], index: int) -> Invalid:
    return Invalid(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to "
        "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + ", ".join(str(p) for p in pending),
        f"messages.[{index}].role",
    )


def _check_content(message: dict[str, Any], i: int) -> Invalid | None:
    content = message.get("content")
    may_be_empty = message["role"] == "assistant" and (
        message.get("tool_calls") or message.get("function_call")
    )
    if isinstance(content, (str, list)) or (content is None and may_be_empty):
        return None
    kind = "null" if content is None else type(content).__name__
    return Invalid(
        f"Invalid type for 'messages[{i}].content': expected one of a string or array of "
        f"objects, but got {kind} instead.",
        f"messages[{i}].content",
    )


def _check_tools(body: dict[str, Any]) -> Invalid | None:
    tools = body.get("tools")
    if tools is None:
        if body.get("tool_choice") is not None:
            return Invalid(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
                "are specified.",
                "tool_choice",
            )
        return None
    if not isinstance(tools, list) or not tools:
        return Invalid(
            "Invalid 'tools': empty array. Expected an array with minimum length 1.", "tools"
        )
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            return Invalid(
                f"Invalid 'tools[{i}].function.name': string does not match pattern. Expected a "
                "string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                f"tools[{i}].function.name",
            )
    return None


def _check_max_tokens(body: dict[str, Any]) -> Invalid | None:
    for key in ("max_tokens", "max_completion_tokens"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return Invalid(
                f"Invalid '{key}': integer below minimum value. Expected a value >= 1, but got "
                f"{value!r} instead.",
                key,
            )
    return None
