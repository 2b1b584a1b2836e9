"""The records that cross the model-client boundary. Everything above ``llm/client.py`` sees only
these, never the ``openai`` package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str
    """The raw JSON text the model produced; it can be malformed like any model text."""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    """Of the prompt tokens, those served from the provider's prompt cache (priced lower)."""


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int
    temperature: float = 0.0
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | None = None
    purpose: str = "main"
    """What the request is for ("main", "correction", "summary", "helper"): only a label on the
    request in the ``--debug`` wire log (``debug.jsonl``). Costs and the journal's ``request``
    events get their label from the agent, which accounts each request itself."""
    on_delta: Callable[[str, str], None] | None = field(default=None, compare=False, repr=False)
    """Told (reply text so far, reasoning so far) as a streamed reply arrives, each bounded
    (``llm/replies.py``); for display only: the reply is returned once it is complete."""


@dataclass(frozen=True)
class ChatReply:
    text: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    model: str = ""
    reasoning: str | None = None
    """``reasoning_content`` (DeepSeek thinking mode, Qwen thinking models): shown, never parsed
    as the reply; passed back on tool-call turns where the provider requires it."""
