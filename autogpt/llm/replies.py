"""A :class:`ChatReply` from the endpoint's answer: a whole completion, or a stream of chunks.

No openai import: a completion is the SDK's typed object, read by attribute; a stream's chunks
come as parsed JSON. A stream is assembled in full before anything is returned: the text,
``reasoning_content`` and each tool call's arguments from their deltas, and usage from the last
chunk (``stream_options.include_usage``), estimated when the endpoint sends none. A stream that
ends before any choice finished is :class:`StreamCut`, a transient failure retried like a
dropped connection: a partial reply is never acted on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from autogpt.llm.types import ChatReply, ToolCall, Usage

DeltaCallback = Callable[[str, str], None]
"""(reply text so far, reasoning so far), each bounded (see :data:`PROGRESS_TEXT_CHARS`)."""

PROGRESS_TEXT_CHARS = 16_000
"""The reply text passed to ``on_delta`` stops growing here: a display needs only the beginning
(the thoughts), and a hostile reply of megabytes must not cost a copy per chunk."""
PROGRESS_REASONING_CHARS = 2_000
"""Of the reasoning, only the newest characters are passed on (it is shown as it goes)."""


class StreamCut(Exception):
    """The stream ended before the reply was complete (no finish_reason, no ``[DONE]``)."""


class StreamEmpty(StreamCut):
    """The answer ended properly without a single event: the endpoint cannot stream this request
    (llama.cpp's server with tools: "Automatic streaming tool choice is not supported")."""


def from_completion(response: Any) -> ChatReply:
    """A non-streaming ``chat.completion``."""
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice else None
    calls = []
    for call in getattr(message, "tool_calls", None) or []:
        fn = getattr(call, "function", None)
        if fn is None:
            continue
        calls.append(ToolCall(id=call.id or "", name=fn.name or "", arguments=fn.arguments or ""))
    reasoning = getattr(message, "reasoning_content", None)
    return ChatReply(
        text=getattr(message, "content", None),
        tool_calls=calls,
        usage=_usage(response.usage),
        finish_reason=choice.finish_reason if choice else None,
        model=response.model or "",
        reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
    )


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "prompt_tokens_details", None)
    return Usage(
        prompt_tokens=_count(getattr(usage, "prompt_tokens", 0)),
        completion_tokens=_count(getattr(usage, "completion_tokens", 0)),
        cached_tokens=_count(getattr(details, "cached_tokens", 0)),
    )


def _count(value: Any) -> int:
    """A token count as sent; anything else (a hostile or broken endpoint's) counts 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _Progress:
    """What ``on_delta`` is shown: the text's beginning and the reasoning's end, each bounded."""

    on_delta: DeltaCallback | None
    text: str = ""
    reasoning: str = ""

    def add(self, text: str, reasoning: str) -> None:
        changed = False
        if text and len(self.text) < PROGRESS_TEXT_CHARS:
            self.text += text[: PROGRESS_TEXT_CHARS - len(self.text)]
            changed = True
        if reasoning:
            self.reasoning = (self.reasoning + reasoning[-PROGRESS_REASONING_CHARS:])[
                -PROGRESS_REASONING_CHARS:
            ]
            changed = True
        if changed and self.on_delta is not None:
            self.on_delta(self.text, self.reasoning)


def from_stream(
    chunks: Iterable[Any],
    *,
    on_delta: DeltaCallback | None = None,
    estimate: Callable[[str], int] | None = None,
) -> ChatReply:
    """Assemble a stream of ``chat.completion.chunk`` objects as parsed from JSON (plain dicts:
    the SDK's typed objects cost most of the time of a long stream); anything of another shape
    is skipped. ``estimate`` counts the completion's tokens when the stream carries no usage."""
    text: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, _Call] = {}
    usage: Any = None
    finish: str | None = None
    model = ""
    progress = _Progress(on_delta)
    seen = False
    for chunk in chunks:
        seen = True
        if not isinstance(chunk, dict):
            continue
        model = _text(chunk.get("model")) or model
        usage = chunk.get("usage") if isinstance(chunk.get("usage"), dict) else usage
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            if not isinstance(choice, dict) or choice.get("index", 0):
                continue  # n=1: only the first choice is ours
            finish = _text(choice.get("finish_reason")) or finish
            delta = choice.get("delta")
            if isinstance(delta, dict):
                _take(delta, text, reasoning, calls, progress)
    if not seen:
        raise StreamEmpty("the endpoint answered a streaming request with no events")
    if finish is None:
        raise StreamCut("the stream ended before the reply was complete")
    tool_calls = [
        ToolCall(id=c.id, name=c.name, arguments="".join(c.arguments))
        for _, c in sorted(calls.items())
        if c.name
    ]
    whole = "".join(text)
    joined_reasoning = "".join(reasoning)
    found = _dict_usage(usage)
    if usage is None and estimate is not None:
        produced = whole + joined_reasoning + "".join(c.name + c.arguments for c in tool_calls)
        found = Usage(completion_tokens=estimate(produced))
    return ChatReply(
        text=whole if text else None,
        tool_calls=tool_calls,
        usage=found,
        finish_reason=finish,
        model=model,
        reasoning=joined_reasoning or None,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict_usage(usage: dict[str, Any] | None) -> Usage:
    usage = usage or {}
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else 0
    return Usage(
        prompt_tokens=_count(usage.get("prompt_tokens")),
        completion_tokens=_count(usage.get("completion_tokens")),
        cached_tokens=_count(cached),
    )


def _take(
    delta: dict[str, Any],
    text: list[str],
    reasoning: list[str],
    calls: dict[int, _Call],
    progress: _Progress,
) -> None:
    content = _text(delta.get("content"))
    thought = _text(delta.get("reasoning_content"))
    if content:
        text.append(content)
    if thought:
        reasoning.append(thought)
    pieces = delta.get("tool_calls")
    for call in pieces if isinstance(pieces, list) else []:
        if not isinstance(call, dict):
            continue
        index = call.get("index")
        slot = calls.setdefault(index if isinstance(index, int) else len(calls), _Call())
        slot.id = _text(call.get("id")) or slot.id
        fn = call.get("function")
        if isinstance(fn, dict):
            slot.name = slot.name or _text(fn.get("name"))  # sent once, whole
            piece = _text(fn.get("arguments"))
            if piece:
                slot.arguments.append(piece)
    if content or thought:
        progress.add(content, thought)
