"""How the tests of the test servers talk to them: the real openai client, and raw urllib where
the HTTP behaviour itself matters. Token counts here use tiktoken directly, independently of
``token_count.py``, so the server's arithmetic is checked rather than repeated."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import openai
import tiktoken

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


def ask(client: openai.OpenAI, messages: list[dict[str, Any]] = USER_HI, **options: Any) -> Any:
    """One chat completion (model gpt-3.5-turbo unless ``model=`` says otherwise)."""
    model = options.pop("model", "gpt-3.5-turbo")
    return client.chat.completions.create(model=model, messages=messages, **options)


def post_raw(url: str, body: dict[str, Any]) -> bytes:
    """POST JSON with urllib, no client library in between."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()
