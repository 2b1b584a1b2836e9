"""The model client over real HTTP, through the real openai package, against the test server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.errors import ModelRejected, ModelUnavailable
from autogpt.llm.client import ContextOverflow, OpenAIModelClient, ToolsRejected
from autogpt.llm.retry import Failure
from autogpt.llm.types import ChatRequest
from tests.support.model_script import Step, delay, drop, reply, tool_call_reply
from tests.support.model_server import ModelServer
from tests.support.openai_errors import (
    context_length_exceeded,
    error,
    insufficient_quota,
    invalid_api_key,
    model_not_found,
    rate_limited,
    server_error,
)
from tests.support.proxy_server import RecordingProxy

Shown = tuple[int, int, float, str]  # a wait as the client reports it: attempt, of, seconds, why

HELLO = ChatRequest(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=50
)


def client_for(
    base_url: str, waits: list[Shown] | None = None, **settings: Any
) -> OpenAIModelClient:
    values: dict[str, Any] = {
        "openai_api_key": "sk-test",
        "openai_api_base": base_url,
        "openai_retry_max_wait": 0.05,
        "openai_max_retries": 3,
        **settings,
    }

    def on_wait(attempt: int, total: int, seconds: float, failure: Failure) -> None:
        if waits is not None:
            waits.append((attempt, total, round(seconds, 3), failure.short()))

    return OpenAIModelClient(Settings(**values), on_wait=on_wait)


def test_reply_text_tool_calls_and_usage_come_back(model_server: ModelServer) -> None:
    model_server.add(tool_call_reply("read_file", {"filename": "a.txt"}, text="thinking"))
    answer = client_for(model_server.base_url).complete(HELLO)
    assert answer.text == "thinking"
    assert [(c.name, c.arguments) for c in answer.tool_calls] == [
        ("read_file", '{"filename": "a.txt"}')
    ]
    assert answer.usage.prompt_tokens == model_server.requests[0].prompt_tokens


@pytest.mark.parametrize(
    "failure",
    [
        drop,
        lambda: server_error(500),
        lambda: server_error(502),
        lambda: server_error(503),
        lambda: server_error(504),
    ],
)
def test_transient_failures_are_retried_and_the_waits_shown(
    model_server: ModelServer, failure: Callable[[], Step]
) -> None:
    model_server.add(failure(), failure(), reply("ok"))
    waits: list[Shown] = []
    assert client_for(model_server.base_url, waits).complete(HELLO).text == "ok"
    assert [w[0] for w in waits] == [1, 2]
    assert all(w[1] == 3 for w in waits)


def test_retry_after_is_honoured_up_to_the_max_wait(model_server: ModelServer) -> None:
    model_server.add(rate_limited(retry_after=0.3), reply("ok"))
    waits: list[Shown] = []
    client = client_for(model_server.base_url, waits, openai_retry_max_wait=5)
    assert client.complete(HELLO).text == "ok"
    assert waits == [(1, 3, 0.3, "HTTP 429")]


def test_timeout_is_retried(model_server: ModelServer) -> None:
    model_server.add(delay(2, then=reply("late")), reply("ok"))
    waits: list[Shown] = []
    client = client_for(model_server.base_url, waits, openai_timeout=0.5)
    assert client.complete(HELLO).text == "ok"
    assert waits[0][3] == "timed out"


def test_spent_retries_raise_model_unavailable_exit_3(model_server: ModelServer) -> None:
    model_server.add(*[server_error(503)] * 4)
    with pytest.raises(ModelUnavailable) as info:
        client_for(model_server.base_url).complete(HELLO)
    assert info.value.exit_code == 3
    assert "could not be reached" in info.value.message and "4 attempts" in info.value.message


def test_bad_key_is_one_line_naming_where_to_set_it_exit_2(model_server: ModelServer) -> None:
    model_server.add(invalid_api_key())
    with pytest.raises(ModelRejected) as info:
        client_for(model_server.base_url).complete(HELLO)
    assert info.value.exit_code == 2
    assert "OPENAI_API_KEY" in info.value.message and "\n" not in info.value.message


def test_unknown_model_names_it_and_suggests_gpt3only_exit_2(model_server: ModelServer) -> None:
    model_server.add(model_not_found("gpt-4"))
    with pytest.raises(ModelRejected) as info:
        client_for(model_server.base_url).complete(HELLO)
    assert info.value.exit_code == 2
    assert "gpt-4" in info.value.message and "--gpt3only" in info.value.message


def test_a_400_saying_model_not_found_is_the_same_usage_error_exit_2(
    model_server: ModelServer,
) -> None:
    """llama.cpp's server (llama-cpp-python) answers an unknown model with 400, not 404."""
    model_server.add(error(400, "The model `models/x.gguf` does not exist", code="model_not_found"))
    with pytest.raises(ModelRejected) as info:
        client_for(model_server.base_url).complete(HELLO)
    assert info.value.exit_code == 2
    assert "FAST_LLM_MODEL" in info.value.message and "models/x.gguf" in info.value.message


def test_insufficient_quota_is_not_retried_and_exits_3(model_server: ModelServer) -> None:
    model_server.add(insufficient_quota())
    waits: list[Shown] = []
    with pytest.raises(ModelRejected) as info:
        client_for(model_server.base_url, waits).complete(HELLO)
    assert info.value.exit_code == 3 and waits == []
    assert "quota" in info.value.message


def test_context_length_exceeded_is_raised_for_the_cycle_to_shrink(
    model_server: ModelServer,
) -> None:
    model_server.add(context_length_exceeded())
    with pytest.raises(ContextOverflow, match="maximum context length"):
        client_for(model_server.base_url).complete(HELLO)


def test_endpoint_refusing_tools_raises_tools_rejected(
    model_server_factory: Callable[..., ModelServer],
) -> None:
    server = model_server_factory(tools_supported=False)
    request = ChatRequest(
        model="m",
        messages=[{"role": "user", "content": "hi"}],
        max_tokens=20,
        tools=[
            {
                "type": "function",
                "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
            }
        ],
        tool_choice="auto",
    )
    with pytest.raises(ToolsRejected):
        client_for(server.base_url).complete(request)
    assert server.tool_rejections == 1


def test_proxy_from_settings_is_used(model_server: ModelServer, env: pytest.MonkeyPatch) -> None:
    """The model host name resolves only inside the proxy: a client that bypassed it would fail."""
    model_server.add(reply("through the proxy"))
    with RecordingProxy(resolve={"model.test": "127.0.0.1"}) as proxy:
        env.delenv("NO_PROXY")
        env.delenv("no_proxy")
        env.setenv("HTTP_PROXY", proxy.url)
        base = f"http://model.test:{model_server.port}/v1"
        assert client_for(base).complete(HELLO).text == "through the proxy"
    assert any("model.test" in target for _, target in proxy.seen)


def test_refused_proxy_is_named_in_one_clear_message(env: pytest.MonkeyPatch) -> None:
    env.delenv("NO_PROXY")
    env.delenv("no_proxy")
    env.setenv("HTTP_PROXY", "http://user:pw@127.0.0.1:9")
    client = client_for(
        "http://model.test:1234/v1", openai_max_retries=1, http_proxy="http://user:pw@127.0.0.1:9"
    )
    with pytest.raises(ModelUnavailable) as info:
        client.complete(HELLO)
    assert "through proxy http://user:***@127.0.0.1:9" in info.value.message
    assert "pw" not in info.value.message.replace("***", "")


def test_an_answer_past_the_size_cap_stops_the_run_unretried(
    model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken or hostile endpoint's oversize answer is dropped as it streams in, not retried
    (the cap is lowered from 32 MB to 2 MB to keep the test small)."""
    from autogpt.llm import response_cap

    monkeypatch.setattr(response_cap, "MAX_RESPONSE_BYTES", 2 * 1024 * 1024)
    model_server.add(reply("x" * 3_000_000))
    waits: list[Shown] = []
    with pytest.raises(ModelRejected) as stopped:
        client_for(model_server.base_url, waits).complete(HELLO)
    assert "larger than 2 MB" in stopped.value.message
    assert stopped.value.exit_code == 3
    assert waits == [] and len(model_server.requests) == 1
