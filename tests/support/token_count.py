"""Token counts as the OpenAI service reports them, for the test model server.

Prompt (OpenAI cookbook, "How to count tokens with tiktoken", chat models after
gpt-3.5-turbo-0301): 3 tokens per message, plus the tokens of every string field of the message
(``role``, ``content``, ``name``, ``tool_call_id``, ...), plus 1 more when ``name`` is set, plus
3 for the priming of the reply. A ``content`` list counts its text parts (images count 0 here).
An assistant's ``tool_calls`` (and legacy ``function_call``) count each function name and
arguments text. OpenAI does not publish how tool schemas are counted: this server counts the
tokens of ``json.dumps(tools)`` (or of legacy ``functions``); clients must budget tools with a
margin anyway.

Completion: the tokens of the reply text plus each tool call's name and arguments text.

Encodings: ``o200k_base`` for gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*; ``cl100k_base``
for everything else (gpt-3.5, gpt-4, gpt-4-turbo, text-embedding-*, unknown models). The rank files
come from ``<repo>/../shared/tiktoken`` (see :func:`tiktoken_cache_dir`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tiktoken

SHARED_TIKTOKEN_DIR = (Path(__file__).resolve().parents[2] / ".." / "shared" / "tiktoken").resolve()
O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-6", "o1", "o3", "o4")
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def tiktoken_cache_dir() -> str | None:
    """The tiktoken rank-file folder: ``<repo>/../shared/tiktoken``, else $TIKTOKEN_CACHE_DIR."""
    if SHARED_TIKTOKEN_DIR.is_dir():
        return str(SHARED_TIKTOKEN_DIR)
    return os.environ.get("TIKTOKEN_CACHE_DIR")


def encoding_name(model: str) -> str:
    """``o200k_base`` or ``cl100k_base`` for a model name ("openai/gpt-4o" and "ft:" work too)."""
    name = model.rsplit("/", 1)[-1].lower().removeprefix("ft:")
    return "o200k_base" if name.startswith(O200K_PREFIXES) else "cl100k_base"


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    # tiktoken reads TIKTOKEN_CACHE_DIR when it first loads an encoding; without the rank files it
    # would try the network. Point it at the shared folder unless the caller chose one.
    if "TIKTOKEN_CACHE_DIR" not in os.environ and SHARED_TIKTOKEN_DIR.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(SHARED_TIKTOKEN_DIR)
    return tiktoken.get_encoding(name)


def encode(text: str, model: str) -> list[int]:
    """Token ids of ``text``; special-token text like ``<|endoftext|>`` is plain text here."""
    return _encoding(encoding_name(model)).encode(text, disallowed_special=())


def count_text(text: str, model: str) -> int:
    return len(encode(text, model))


def _count_message(message: dict[str, Any], model: str) -> int:
    total = TOKENS_PER_MESSAGE
    for key, value in message.items():
        if isinstance(value, str):
            total += count_text(value, model)
            if key == "name":
                total += TOKENS_PER_NAME
        elif key == "content" and isinstance(value, list):
            for part in value:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    total += count_text(part["text"], model)
        elif key == "tool_calls" and isinstance(value, list):
            for call in value:
                function = call.get("function") if isinstance(call, dict) else None
                total += _count_function(function, model)
        elif key == "function_call":
            total += _count_function(value, model)
    return total


def _count_function(function: object, model: str) -> int:
    if not isinstance(function, dict):
        return 0
    return sum(
        count_text(function[key], model)
        for key in ("name", "arguments")
        if isinstance(function.get(key), str)
    )


@dataclass(frozen=True)
class PromptCount:
    """A chat request's prompt tokens, split as OpenAI's context-length message splits them."""

    messages: int
    tools: int

    @property
    def total(self) -> int:
        return self.messages + self.tools


def count_messages(messages: list[Any], model: str) -> int:
    """Cookbook count of a message list, including the 3 tokens of reply priming."""
    return REPLY_PRIMING + sum(_count_message(m, model) for m in messages if isinstance(m, dict))


def count_tools(tools: list[Any] | None, model: str) -> int:
    """Tokens of ``json.dumps(tools)``; OpenAI does not publish its exact formula."""
    return count_text(json.dumps(tools), model) if tools else 0


def count_prompt(body: dict[str, Any]) -> PromptCount:
    """Prompt tokens of a chat-completions request body."""
    model = str(body.get("model") or "")
    messages = body.get("messages")
    tools = body.get("tools") or body.get("functions")
    return PromptCount(
        messages=count_messages(messages if isinstance(messages, list) else [], model),
        tools=count_tools(tools if isinstance(tools, list) else None, model),
    )


def count_completion(text: str | None, tool_calls: list[tuple[str, str]], model: str) -> int:
    """Tokens of the reply: its text plus each tool call's ``(name, arguments)``."""
    total = count_text(text, model) if text else 0
    return total + sum(count_text(n, model) + count_text(a, model) for n, a in tool_calls)
