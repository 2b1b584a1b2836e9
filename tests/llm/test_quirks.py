"""Quirks learnt from the endpoint's answers: each refusal is recognised from the provider's own
error text (emulated by the test server, ``tests/support/provider_quirks.py``), learnt once,
told once, and the request sent again without what was refused; later requests avoid it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.llm.client import ContextOverflow, OpenAIModelClient
from autogpt.llm.quirks import Quirks, describe
from autogpt.llm.types import ChatRequest
from tests.support.model_script import reply, tool_call_reply
from tests.support.model_server import ModelServer
from tests.support.openai_errors import context_length_exceeded
from tests.support.provider_quirks import ProviderQuirks

Start = Callable[..., ModelServer]
TOOLS = [
    {
        "type": "function",
        "function": {"name": "list_files", "parameters": {"type": "object", "properties": {}}},
    }
]


def _request(model: str = "gpt-4o-mini", **extra: Any) -> ChatRequest:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    return ChatRequest(model=model, messages=messages, max_tokens=50, **extra)


def _client(
    server: ModelServer,
    learnt: list[tuple[str, Any]],
    quirks: Quirks | None = None,
    *,
    stream: bool = True,
) -> OpenAIModelClient:
    settings = Settings(
        openai_api_key="sk-test", openai_api_base=server.base_url, stream_replies=stream
    )
    return OpenAIModelClient(
        settings, quirks=quirks, on_learnt=lambda name, value: learnt.append((name, value))
    )


def test_refused_required_tool_choice_is_asked_again_with_auto_keeping_the_tool_calls(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        tool_call_reply("list_files", {}),
        tool_call_reply("list_files", {}),
        quirks=ProviderQuirks(refuse_required_tool_choice=True),
    )
    learnt: list[tuple[str, Any]] = []
    client = _client(server, learnt)
    first = client.complete(_request(tools=TOOLS, tool_choice="required"))
    second = client.complete(_request(tools=TOOLS, tool_choice="required"))
    assert (
        [c.name for c in first.tool_calls] == ["list_files"] == [c.name for c in second.tool_calls]
    )
    assert learnt == [("tool_choice", "auto")]
    assert server.quirk_refusals == ["tool_choice"]
    sent = [r.body.get("tool_choice") for r in server.requests]
    assert sent == ["required", "auto", "auto"]
    assert all(r.tools == TOOLS for r in server.requests)


@pytest.mark.parametrize(
    ("model", "refuse", "learnt"),
    [
        ("gpt-4o-mini", ProviderQuirks(refuse_max_tokens=True), "max_completion_tokens"),
        ("o4-mini", ProviderQuirks(refuse_max_completion_tokens=True), "max_tokens"),
    ],
)
def test_a_refused_token_cap_name_is_replaced_by_the_other(
    model_server_factory: Start, model: str, refuse: ProviderQuirks, learnt: str
) -> None:
    server = model_server_factory(reply("ok"), reply("ok"), quirks=refuse)
    told: list[tuple[str, Any]] = []
    client = _client(server, told)
    assert client.complete(_request(model)).text == "ok"
    assert client.complete(_request(model)).text == "ok"
    assert told == [("token_param", learnt)]
    assert [r.body.get(learnt) for r in server.requests[1:]] == [50, 50]
    assert len(server.quirk_refusals) == 1


def test_an_unsupported_temperature_is_left_out(model_server_factory: Start) -> None:
    server = model_server_factory(reply("ok"), quirks=ProviderQuirks(refuse_temperature=True))
    told: list[tuple[str, Any]] = []
    assert _client(server, told).complete(_request(temperature=0.0)).text == "ok"
    assert told == [("temperature", False)]
    assert server.requests[0].body["temperature"] == 0
    assert "temperature" not in server.requests[1].body


def test_a_refused_system_role_becomes_developer(model_server_factory: Start) -> None:
    server = model_server_factory(reply("ok"), quirks=ProviderQuirks(refuse_role="system"))
    told: list[tuple[str, Any]] = []
    assert _client(server, told).complete(_request()).text == "ok"
    assert told == [("system_role", "developer")]
    assert server.requests[1].messages[0] == {"role": "developer", "content": "be brief"}


def test_a_refused_developer_role_becomes_system_again(model_server_factory: Start) -> None:
    """A quirk carried over (from a resumed run, say) that a relay does not accept."""
    server = model_server_factory(reply("ok"), quirks=ProviderQuirks(refuse_role="developer"))
    told: list[tuple[str, Any]] = []
    client = _client(server, told, Quirks(system_role="developer"))
    assert client.complete(_request()).text == "ok"
    assert told == [("system_role", "system")]
    assert [r.messages[0]["role"] for r in server.requests] == ["developer", "system"]


def test_qwen_gets_enable_thinking_false_on_non_streaming_calls(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        reply("ok"), reply("ok"), quirks=ProviderQuirks(qwen_thinking=True)
    )
    told: list[tuple[str, Any]] = []
    client = _client(server, told, stream=False)
    client.complete(_request("qwen3-235b-a22b"))
    client.complete(_request("qwen3-235b-a22b"))
    assert told == [("enable_thinking", False)]
    assert [r.body.get("enable_thinking") for r in server.requests] == [None, False, False]


def test_qwen_streaming_calls_carry_no_enable_thinking_even_once_learnt(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(reply("ok"), quirks=ProviderQuirks(qwen_thinking=True))
    told: list[tuple[str, Any]] = []
    client = _client(server, told, Quirks(enable_thinking=False))
    assert client.complete(_request("qwen3-235b-a22b")).text == "ok"
    assert told == [] and server.quirk_refusals == []
    assert server.requests[0].body.get("stream") is True
    assert "enable_thinking" not in server.requests[0].body


def test_a_stated_window_is_learnt_once_and_raised_with_the_overflow(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        context_length_exceeded(2048, messages=2100), context_length_exceeded(2048, messages=2100)
    )
    told: list[tuple[str, Any]] = []
    client = _client(server, told)
    with pytest.raises(ContextOverflow) as first:
        client.complete(_request())
    with pytest.raises(ContextOverflow) as again:
        client.complete(_request())
    assert first.value.window == 2048 and again.value.window is None
    assert told == [("context_window", {"gpt-4o-mini": 2048})]
    assert client.quirks.context_windows == {"gpt-4o-mini": 2048}


def test_what_was_learnt_round_trips_through_its_plain_dict() -> None:
    quirks = Quirks()
    learnt = [
        ("tool_choice", "auto"),
        ("token_param", "max_completion_tokens"),
        ("temperature", False),
        ("system_role", "developer"),
        ("enable_thinking", False),
        ("context_window", {"m": 8192}),
    ]
    for name, value in learnt:
        quirks.learn(name, value)
        assert describe(name, value)
    assert Quirks.from_dict(quirks.to_dict()) == quirks
    assert quirks.to_dict() == dict(learnt)
    assert Quirks().to_dict() == {}
