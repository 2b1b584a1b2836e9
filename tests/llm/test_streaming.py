"""Streamed replies: asked for by default, assembled from the deltas into the same ChatReply,
retried when the stream breaks (a partial reply is never returned), timed per chunk, and given
up for the run (a quirk, told once) when the endpoint refuses to stream or answers plain JSON.
The real ``openai`` client against the scripted server streaming server-sent events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.errors import ModelUnavailable
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.quirks import Quirks
from autogpt.llm.retry import Failure
from autogpt.llm.types import ChatRequest
from tests.support.model_script import Reply, ToolCallSpec, delay, reply, streamed
from tests.support.model_server import ModelServer
from tests.support.openai_errors import error

Start = Callable[..., ModelServer]
THOUGHTS = json.dumps({"thoughts": {"text": "I will list the files, then read them."}})


def _request(**extra: Any) -> ChatRequest:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    return ChatRequest(model="gpt-4o-mini", messages=messages, max_tokens=200, **extra)


def _client(
    server: ModelServer,
    *,
    learnt: list[tuple[str, Any]] | None = None,
    waits: list[Failure] | None = None,
    quirks: Quirks | None = None,
    **settings: Any,
) -> OpenAIModelClient:
    options: dict[str, Any] = {"openai_retry_max_wait": 0.1, **settings}
    return OpenAIModelClient(
        Settings(openai_api_key="sk-test", openai_api_base=server.base_url, **options),
        quirks=quirks,
        on_learnt=lambda name, value: (learnt if learnt is not None else []).append((name, value)),
        on_wait=lambda _n, _t, _s, failure: (waits if waits is not None else []).append(failure),
    )


def test_replies_are_asked_for_as_a_stream_with_usage_and_assembled(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(reply("Hello there, streaming world.", cached_tokens=3))
    answer = _client(server).complete(_request())
    body = server.requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert answer.text == "Hello there, streaming world."
    assert answer.finish_reason == "stop"
    assert answer.usage.prompt_tokens == server.requests[0].prompt_tokens
    assert answer.usage.completion_tokens > 0 and answer.usage.cached_tokens == 3


def test_tool_call_arguments_and_reasoning_are_assembled_from_their_deltas(
    model_server_factory: Start,
) -> None:
    args = json.dumps({"filename": "notes.txt", "text": "a long line of text " * 5})
    calls = (ToolCallSpec("write_to_file", args), ToolCallSpec("list_files", '{"directory": "."}'))
    server = model_server_factory(
        streamed(Reply(THOUGHTS, calls, reasoning="First I think. " * 4), chunk_chars=5)
    )
    answer = _client(server).complete(_request())
    assert answer.text == THOUGHTS
    assert [(c.name, c.arguments) for c in answer.tool_calls] == [
        ("write_to_file", args),
        ("list_files", '{"directory": "."}'),
    ]
    assert [c.id for c in answer.tool_calls] == ["call_1_1", "call_1_2"]
    assert answer.reasoning == "First I think. " * 4
    assert answer.finish_reason == "tool_calls"


def test_usage_is_estimated_when_the_stream_carries_none(model_server_factory: Start) -> None:
    server = model_server_factory(reply("Some words the model wrote.", include_usage=False))
    answer = _client(server).complete(_request())
    assert answer.text == "Some words the model wrote."
    assert answer.usage.prompt_tokens == 0  # the agent falls back to its own count
    assert answer.usage.completion_tokens > 0


def test_on_delta_sees_the_text_grow_and_the_reply_comes_whole(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(streamed(reply(THOUGHTS, reasoning="hmm, yes"), chunk_chars=4))
    seen: list[tuple[str, str]] = []
    answer = _client(server).complete(_request(on_delta=lambda t, r: seen.append((t, r))))
    texts = [t for t, _ in seen]
    assert len(texts) > 5 and texts == sorted(texts, key=len)
    assert texts[-1] == THOUGHTS == answer.text
    assert seen[0] == ("", "hmm,")  # reasoning comes first
    assert all(THOUGHTS.startswith(t) for t in texts)


def test_a_stream_dropped_midway_is_retried_and_the_partial_reply_never_returned(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        streamed(reply("PARTIAL " * 10), chunk_chars=4, drop_after=5), reply("whole reply")
    )
    waits: list[Failure] = []
    answer = _client(server, waits=waits).complete(_request())
    assert answer.text == "whole reply"
    assert [w.kind for w in waits] == ["connection"]
    assert len(server.requests) == 2 and server.requests[1].body["stream"] is True


def test_a_stream_that_keeps_breaking_ends_as_model_unavailable(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        *[streamed(reply("PARTIAL " * 10), chunk_chars=4, drop_after=3) for _ in range(3)]
    )
    with pytest.raises(ModelUnavailable):
        _client(server, openai_max_retries=2).complete(_request())


@pytest.mark.parametrize("silence", ["first_delay", "chunk_delay"])
def test_a_stream_silent_longer_than_the_idle_time_is_retried(
    model_server_factory: Start, silence: str
) -> None:
    """Silent after its headers (before the first chunk) or between two chunks."""
    slow = streamed(
        reply("slow words here"),
        chunk_chars=4,
        first_delay=3.0 if silence == "first_delay" else 0.0,
        chunk_delay=3.0 if silence == "chunk_delay" else 0.0,
    )
    server = model_server_factory(slow, reply("quick"))
    waits: list[Failure] = []
    client = _client(server, waits=waits, openai_timeout=30, stream_idle_timeout=0.3)
    assert client.complete(_request()).text == "quick"
    assert [w.kind for w in waits] == ["timeout"]


def test_the_answer_may_take_longer_to_start_than_the_idle_time(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(delay(1.0, then=streamed(reply("thought long"))))
    client = _client(server, openai_timeout=30, stream_idle_timeout=0.3)
    assert client.complete(_request()).text == "thought long"


def test_a_steady_stream_may_last_longer_than_the_timeout(model_server_factory: Start) -> None:
    server = model_server_factory(streamed(reply("x" * 40), chunk_chars=4, chunk_delay=0.1))
    client = _client(server, openai_timeout=0.5, stream_idle_timeout=5)
    assert client.complete(_request()).text == "x" * 40  # 12 chunks, 0.1 s apart


def test_an_endpoint_refusing_stream_is_asked_without_it_from_then_on(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        error(400, "stream is not supported", param="stream"), reply("one"), reply("two")
    )
    learnt: list[tuple[str, Any]] = []
    client = _client(server, learnt=learnt)
    assert client.complete(_request()).text == "one"
    assert client.complete(_request()).text == "two"
    assert learnt == [("stream", False)]
    assert [r.body.get("stream") for r in server.requests] == [True, None, None]
    assert "stream_options" not in server.requests[2].body


def test_plain_json_to_a_streaming_request_is_used_and_learnt(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(reply("whole at once"), reply("again"), streams=False)
    learnt: list[tuple[str, Any]] = []
    client = _client(server, learnt=learnt)
    assert client.complete(_request()).text == "whole at once"
    assert client.complete(_request()).text == "again"
    assert learnt == [("stream", False)]
    assert [r.body.get("stream") for r in server.requests] == [True, None]


def test_an_answer_with_no_events_is_asked_again_at_once_without_streaming(
    model_server_factory: Start,
) -> None:
    """llama.cpp's server with tools: 200, then the stream ends without a single event."""
    server = model_server_factory(
        streamed(reply("never sent"), drop_after=0, ended=True), reply("whole"), reply("again")
    )
    learnt: list[tuple[str, Any]] = []
    waits: list[Failure] = []
    client = _client(server, learnt=learnt, waits=waits)
    assert client.complete(_request()).text == "whole"
    assert client.complete(_request()).text == "again"
    assert learnt == [("stream", False)] and waits == []
    assert [r.body.get("stream") for r in server.requests] == [True, None, None]


def test_a_stream_ending_early_without_a_break_is_retried_streaming(
    model_server_factory: Start,
) -> None:
    server = model_server_factory(
        streamed(reply("PARTIAL " * 5), chunk_chars=4, drop_after=3, ended=True), reply("whole")
    )
    learnt: list[tuple[str, Any]] = []
    waits: list[Failure] = []
    assert _client(server, learnt=learnt, waits=waits).complete(_request()).text == "whole"
    assert learnt == [] and [w.kind for w in waits] == ["connection"]
    assert [r.body.get("stream") for r in server.requests] == [True, True]


def test_a_stream_refusal_learnt_earlier_is_kept(model_server_factory: Start) -> None:
    """--resume hands the client the quirks replayed from the journal."""
    server = model_server_factory(reply("ok"))
    kept = Quirks.from_dict(Quirks(stream=False).to_dict())
    assert _client(server, quirks=kept).complete(_request()).text == "ok"
    assert "stream" not in server.requests[0].body


def test_stream_replies_false_sends_no_stream(model_server_factory: Start) -> None:
    server = model_server_factory(reply("ok"))
    assert _client(server, stream_replies=False).complete(_request()).text == "ok"
    assert "stream" not in server.requests[0].body
    assert "stream_options" not in server.requests[0].body


def test_transient_errors_are_retried_still_streaming(model_server_factory: Start) -> None:
    server = model_server_factory(error(503, "busy", type="server_error"), reply("ok"))
    learnt: list[tuple[str, Any]] = []
    assert _client(server, learnt=learnt).complete(_request()).text == "ok"
    assert learnt == [] and [r.body.get("stream") for r in server.requests] == [True, True]


def test_chunks_of_the_wrong_shape_are_skipped_not_fatal() -> None:
    """A broken or hostile endpoint's chunks, as the SDK hands them over (parsed JSON)."""
    from autogpt.llm.replies import from_stream

    chunks: list[object] = [
        5,
        {"choices": "x"},
        {"choices": [7, {"delta": {"content": 3, "tool_calls": "no", "reasoning_content": []}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": 1}}]}}]},
        {"choices": [{"index": 1, "delta": {"content": "another choice"}}]},
        {"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": "many", "completion_tokens": -4}},
    ]
    answer = from_stream(chunks)
    assert (answer.text, answer.tool_calls, answer.finish_reason) == ("ok", [], "stop")
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (0, 0)
