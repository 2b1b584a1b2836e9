"""Prompt and completion tokens as the model server counts them (OpenAI's cookbook), checked
against tiktoken directly, and the context window they are held to."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.support.client_calls import WRITE_TOOL, ask, error_body, tokens
from tests.support.model_server import ModelServer, reply


def test_prompt_tokens_follow_the_cookbook_for_every_field(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply("ok"))
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    messages = [
        {"role": "system", "content": "You are Entrepreneur-GPT."},
        {"role": "user", "name": "alice", "content": [{"type": "text", "text": "Hi 你好"}]},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "done"},
    ]

    usage = ask(client, messages, model="gpt-4", tools=[WRITE_TOOL]).usage

    expected = 3 + 4 * 3  # reply priming, 3 per message
    expected += tokens("system") + tokens("You are Entrepreneur-GPT.")
    expected += tokens("user") + tokens("alice") + 1 + tokens("Hi 你好")
    expected += tokens("assistant") + tokens("f") + tokens('{"a": 1}')
    expected += tokens("tool") + tokens("c1") + tokens("done")
    expected += tokens(json.dumps([WRITE_TOOL]))
    assert usage.prompt_tokens == expected == model_server.requests[0].prompt_tokens


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("some-local-model", "cl100k_base"),
    ],
)
def test_the_encoding_follows_the_model(
    model_server: ModelServer, client: openai.OpenAI, model: str, encoding: str
) -> None:
    text = "Ünïcödé tokenisation differs between encodings: 東京都の天気"
    assert tokens(text, "cl100k_base") != tokens(text, "o200k_base")
    model_server.add(reply("ok"))

    usage = ask(client, [{"role": "user", "content": text}], model=model).usage

    assert usage.prompt_tokens == 3 + 3 + tokens("user", encoding) + tokens(text, encoding)


def test_overflow_is_refused_with_openai_text_without_using_a_step(
    model_server_factory: Any,
) -> None:
    server = model_server_factory(reply("short enough"), context_window=200)
    long_text = "lorem ipsum " * 150
    messages = [{"role": "user", "content": long_text}]
    in_messages = 3 + 3 + tokens("user") + tokens(long_text)
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
        with pytest.raises(openai.BadRequestError) as caught:
            ask(own, messages, max_tokens=100)
        assert ask(own, max_tokens=100).choices[0].message.content == "short enough"

    assert caught.value.code == "context_length_exceeded"
    assert error_body(caught.value)["message"] == (
        f"This model's maximum context length is 200 tokens. However, you requested "
        f"{in_messages + 100} tokens ({in_messages} in the messages, 100 in the completion). "
        "Please reduce the length of the messages or completion."
    )
    assert server.overflows == 1
    assert server.requests[0].answered_by == "context_length_exceeded"


def test_the_completion_budget_counts_toward_the_window(model_server_factory: Any) -> None:
    server = model_server_factory(reply("fits"), context_window=20)
    prompt = 3 + 3 + tokens("user") + tokens("hi")
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
        with pytest.raises(openai.BadRequestError, match="However, you requested 21 tokens"):
            ask(own, max_tokens=21 - prompt)
        ask(own, max_completion_tokens=20 - prompt)

    assert server.overflows == 1
