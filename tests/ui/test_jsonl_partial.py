"""``--include-partial``: the JSON-lines sink writes a streaming reply's thought as it arrives,
in increments that rebuild it, and nothing of it when not asked or once the run ended. The real
``openai`` client streams from the scripted server; its deltas go to the sink as the agent's
``show`` passes them (``ThoughtDelta``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from autogpt.agent.events import ThoughtDelta
from autogpt.config.settings import Settings
from autogpt.events import Ended, Started
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.types import ChatRequest
from autogpt.ui.jsonl import JsonLines
from tests.support.model_script import Step, autogpt_reply, streamed
from tests.support.model_server import ModelServer

THOUGHT = 'I will read "notes.txt" first,\nthen write 报告.md.'
STEP = autogpt_reply("read_file", {"filename": "notes.txt"}, text=THOUGHT)


def _stream_into(
    sink: JsonLines, model_server_factory: Callable[..., ModelServer], *steps: Step
) -> str:
    """One streamed main request whose deltas go to ``sink``; the reply's text."""
    server = model_server_factory(*steps)
    settings = Settings(
        _env_file=None,
        openai_api_key="sk-test",
        openai_api_base=server.base_url,
        openai_retry_max_wait=0.1,
    )
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Begin."}],
        max_tokens=400,
        on_delta=lambda text, reasoning: sink(ThoughtDelta(text, reasoning)),
    )
    return OpenAIModelClient(settings).complete(request).text or ""


def _started(include_partial: bool = True) -> tuple[JsonLines, io.StringIO]:
    out = io.StringIO()
    sink = JsonLines(out, include_partial=include_partial)
    sink(Started(profile={}, options={}, workspace="ws", model="m"))
    return sink, out


def _lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]  # every line parses


def _rebuilt(lines: list[dict[str, Any]]) -> str:
    thought = ""
    for line in lines:
        if line["type"] == "thought_delta":
            thought = thought[: line["offset"]] + line["text"]
    return thought


def test_a_streamed_thought_comes_as_increments_that_rebuild_it(
    model_server_factory: Callable[..., ModelServer],
) -> None:
    sink, out = _started()
    text = _stream_into(sink, model_server_factory, streamed(STEP, chunk_chars=5))
    assert text == STEP.text
    deltas = [line for line in _lines(out) if line["type"] == "thought_delta"]
    assert len(deltas) > 5
    assert _rebuilt(deltas) == THOUGHT.replace("\n", " ")  # as the live view reads it
    assert all(set(d) == {"type", "offset", "text"} and d["text"] for d in deltas)
    assert [d["offset"] for d in deltas] == sorted(d["offset"] for d in deltas)
    assert deltas[0]["offset"] == 0


def test_a_stream_started_again_after_it_broke_says_where_the_thought_goes_on(
    model_server_factory: Callable[..., ModelServer],
) -> None:
    sink, out = _started()
    broken = streamed(STEP, chunk_chars=5, drop_after=12)
    assert _stream_into(sink, model_server_factory, broken, streamed(STEP, chunk_chars=7))
    deltas = [line for line in _lines(out) if line["type"] == "thought_delta"]
    offsets = [d["offset"] for d in deltas]
    assert offsets != sorted(offsets)  # the second stream went back
    assert _rebuilt(deltas) == THOUGHT.replace("\n", " ")


def test_without_include_partial_no_delta_is_written(
    model_server_factory: Callable[..., ModelServer],
) -> None:
    sink, out = _started(include_partial=False)
    assert _stream_into(sink, model_server_factory, streamed(STEP, chunk_chars=5))
    assert [line["type"] for line in _lines(out)] == ["start"]


def test_the_end_line_stays_last_and_a_new_reply_starts_at_offset_0() -> None:
    sink, out = _started()
    sink(ThoughtDelta('{"thoughts": {"text": "first'))
    sink(Started(profile={}, options={}, workspace="ws", model="m"))  # any recorded event
    sink(ThoughtDelta('{"thoughts": {"text": "second'))
    sink(Ended(status="finished", reason="done", exit_code=0, cycles=1))
    sink(ThoughtDelta('{"thoughts": {"text": "second and more'))
    lines = _lines(out)
    assert lines[-1]["type"] == "end"
    deltas = [line for line in lines if line["type"] == "thought_delta"]
    assert deltas == [
        {"type": "thought_delta", "offset": 0, "text": "first"},
        {"type": "thought_delta", "offset": 0, "text": "second"},
    ]
