"""How the tests of the test servers talk to them: the real openai client, and raw urllib where
the HTTP behaviour itself matters. Token counts here use tiktoken directly, independently of
``token_count.py``, so the server's arithmetic is checked rather than repeated."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from typing import Any, cast

import openai
import tiktoken
from openai.types.chat import ChatCompletionMessageParam

USER_HI = [{"role": "user", "content": "hi"}]
WRITE_TOOL = {
    "type": "function",
    "function": {
        "name": "write_to_file",
        "description": "Write a file.",
        "parameters": {"type": "object", "properties": {"filename": {"type": "string"}}},
    },
}


def tokens(text: str, encoding: str = "cl100k_base") -> int:
    return len(tiktoken.get_encoding(encoding).encode(text))


def ask(client: openai.OpenAI, messages: Sequence[object] = USER_HI, **options: Any) -> Any:
    """One chat completion (model gpt-3.5-turbo unless ``model=`` says otherwise). Messages are
    not checked here: tests send malformed ones on purpose, to see the server refuse them."""
    model = options.pop("model", "gpt-3.5-turbo")
    sent = cast("list[ChatCompletionMessageParam]", messages)
    return client.chat.completions.create(model=model, messages=sent, **options)


def post_raw(url: str, body: dict[str, Any]) -> bytes:
    """POST JSON with urllib, no client library in between."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw: bytes = response.read()
        return raw


def error_body(error: openai.APIError) -> dict[str, Any]:
    """The decoded JSON error object of an API error (``body`` is typed ``object``)."""
    assert isinstance(error.body, dict), error.body
    return error.body
