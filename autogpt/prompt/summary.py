"""The running summary: old turns folded into a few sentences by the fast model.

One request, a small conversation of its own (short instruction, no tools, not the main system
prompt), within its own limit. Events that are not valid JSON are summarised as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from autogpt.llm.client import ModelClient
from autogpt.llm.tokens import TokenCounter
from autogpt.llm.types import ChatRequest, Usage
from autogpt.prompt.context import Turn, summary_reserve

INSTRUCTION = (
    "You keep the running memory of an autonomous agent. Merge the new events into the current "
    "summary. Write in the first person, past tense, as the agent ('I read data.csv, ...'). Keep "
    "file names, numbers, URLs, findings and what is still to do; drop chatter. At most {words} "
    "words. Reply with the summary text only."
)


def describe_turn(turn: Turn) -> str:
    """A compact text of one turn; the assistant's JSON is reduced to thought and command."""
    lines = []
    for message in turn.messages:
        role = message.get("role")
        content = message.get("content") or ""
        if role == "assistant":
            lines.append("I decided: " + _compact_reply(content, message.get("tool_calls")))
        elif role == "tool":
            lines.append("Result: " + content)
        else:
            lines.append(content)
    return "\n".join(lines)


def _compact_reply(content: str, tool_calls: Any) -> str:
    text = content
    try:
        data = json.loads(content)
        if isinstance(data, dict):
            thoughts = data.get("thoughts") or {}
            command = data.get("command") or {}
            if isinstance(thoughts, dict):
                text = str(thoughts.get("text", ""))
            if isinstance(command, dict) and command.get("name"):
                text += f" -> {command.get('name')}"
                text += f" {json.dumps(command.get('args', {}), ensure_ascii=False)}"
    except (ValueError, TypeError, RecursionError):
        pass  # not JSON: the text itself is the event
    for call in tool_calls or []:
        fn = call.get("function", {})
        text += f" -> {fn.get('name')} {fn.get('arguments', '')}"
    return text


def summarize(
    *,
    client: ModelClient,
    model: str,
    limit: int,
    main_limit: int,
    counter: TokenCounter,
    previous: str | None,
    turns: Sequence[Turn],
    temperature: float = 0.0,
) -> tuple[str, Usage]:
    """The new summary and the request's usage."""
    reply_tokens = summary_reserve(main_limit)
    words = int(reply_tokens * 0.5)
    instruction = INSTRUCTION.format(words=words)
    head = f"Current summary:\n{previous or '(nothing yet)'}\n\nNew events:\n"
    room = (
        limit
        - reply_tokens
        - counter.messages(
            [{"role": "system", "content": instruction}, {"role": "user", "content": head}]
        )
        - 16
    )
    events = "\n\n".join(describe_turn(t) for t in turns)
    events = _cut_to(events, room, counter)
    request = ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": instruction},
            {"role": "user", "content": head + events},
        ],
        max_tokens=reply_tokens,
        temperature=temperature,
        purpose="summary",
    )
    reply = client.complete(request)
    text = (reply.text or "").strip() or (previous or "")
    if counter.text(text) > reply_tokens:
        text = _cut_to(text, reply_tokens, counter)
    return text, reply.usage


def _cut_to(text: str, tokens: int, counter: TokenCounter) -> str:
    """The head and tail of ``text`` within ``tokens`` (the middle matters least)."""
    if tokens <= 0:
        return ""
    if counter.text(text) <= tokens:
        return text
    keep = len(text)
    while keep > 0 and counter.text(text[: keep // 2] + text[-keep // 2 :]) > tokens - 8:
        keep = int(keep * 0.8)
    return text[: keep // 2] + "\n[...]\n" + text[-keep // 2 :] if keep else ""
