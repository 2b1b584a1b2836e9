"""Error answers of the model server as the real ``openai`` client sees them: OpenAI's statuses
and bodies, vLLM's refusal of tools, a required key, and requests OpenAI itself would refuse."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.support.client_calls import USER_HI, WRITE_TOOL, ask, error_body
from tests.support.model_server import (
    Error,
    ModelServer,
    context_length_exceeded,
    insufficient_quota,
    invalid_api_key,
    model_not_found,
    rate_limited,
    reject_tools,
    reply,
    server_error,
)
from tests.support.openai_errors import VLLM_NO_TOOLS, context_length_message


@pytest.mark.parametrize(
    ("step", "exception", "code"),
    [
        (invalid_api_key(), openai.AuthenticationError, "invalid_api_key"),
        (model_not_found("gpt-9"), openai.NotFoundError, "model_not_found"),
        (rate_limited(7), openai.RateLimitError, "rate_limit_exceeded"),
        (insufficient_quota(), openai.RateLimitError, "insufficient_quota"),
        (server_error(500), openai.InternalServerError, None),
        (server_error(502), openai.InternalServerError, None),
        (server_error(503), openai.InternalServerError, None),
        (server_error(504), openai.InternalServerError, None),
        (context_length_exceeded(), openai.BadRequestError, "context_length_exceeded"),
    ],
)
def test_error_step_surfaces_as_the_matching_openai_exception(
    model_server: ModelServer,
    client: openai.OpenAI,
    step: Error,
    exception: type[openai.APIStatusError],
    code: str | None,
) -> None:
    model_server.add(step)

    with pytest.raises(exception) as caught:
        ask(client)

    assert caught.value.status_code == step.status
    assert caught.value.code == code
    assert error_body(caught.value)["message"] == step.message
    assert error_body(caught.value)["type"] == step.type


def test_rate_limit_sends_retry_after(model_server: ModelServer, client: openai.OpenAI) -> None:
    model_server.add(rate_limited(7, retry_after_ms=7000))

    with pytest.raises(openai.RateLimitError) as caught:
        ask(client)

    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.response.headers["retry-after-ms"] == "7000"


def test_reject_tools_refuses_a_request_with_tools_like_vllm(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reject_tools(), reply("plain text"))

    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, tools=[WRITE_TOOL])

    assert error_body(caught.value)["message"] == VLLM_NO_TOOLS
    assert ask(client).choices[0].message.content == "plain text"


def test_reject_tools_step_met_by_a_request_without_tools_fails_the_script() -> None:
    with ModelServer([reject_tools()]) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
            with pytest.raises(openai.InternalServerError):
                ask(own)
        assert server.remaining == [reject_tools()]
        with pytest.raises(AssertionError, match="reject_tools"):
            server.assert_complete()


def test_server_without_tool_support_refuses_every_tool_request(
    model_server_factory: Any,
) -> None:
    server = model_server_factory(reply("text mode"), tools_supported=False)
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
        for _ in range(2):
            with pytest.raises(openai.BadRequestError, match="auto. tool choice requires"):
                ask(own, tools=[WRITE_TOOL])
        assert ask(own).choices[0].message.content == "text mode"

    assert server.tool_rejections == 2


def test_a_required_api_key_is_checked(model_server_factory: Any) -> None:
    server = model_server_factory(reply("welcome"), api_key="sk-right")
    with openai.OpenAI(base_url=server.base_url, api_key="sk-wrong-key", max_retries=0) as own:
        with pytest.raises(openai.AuthenticationError, match=r"sk-\*+-key"):
            ask(own)
    with openai.OpenAI(base_url=server.base_url, api_key="sk-right", max_retries=0) as own:
        assert ask(own).choices[0].message.content == "welcome"


def test_a_request_openai_would_refuse_is_refused_and_fails_the_script() -> None:
    orphan_tool_result = [*USER_HI, {"role": "tool", "tool_call_id": "call_9", "content": "x"}]
    with ModelServer([reply("never")]) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
            with pytest.raises(openai.BadRequestError, match="must be a response to a preceeding"):
                ask(own, orphan_tool_result)
        with pytest.raises(AssertionError, match="OpenAI would refuse it"):
            server.assert_complete()


def test_tool_results_answering_the_calls_are_accepted(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply("done"))
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [
        *USER_HI,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "result"},
    ]

    assert ask(client, messages).choices[0].message.content == "done"


def test_context_length_message_variants() -> None:
    head = "This model's maximum context length is 4097 tokens. However, "
    assert context_length_message(4097, messages=4128) == (
        f"{head}your messages resulted in 4128 tokens. Please reduce the length of the messages."
    )
    assert context_length_message(4097, messages=4143, functions=95) == (
        f"{head}your messages resulted in 4238 tokens (4143 in the messages, 95 in the "
        "functions). Please reduce the length of the messages or functions."
    )
    assert context_length_message(4097, messages=4310, completion=100) == (
        f"{head}you requested 4410 tokens (4310 in the messages, 100 in the completion). "
        "Please reduce the length of the messages or completion."
    )
