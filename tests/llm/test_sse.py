"""The stream decoder (``autogpt/llm/sse.py``) reads what the SDK's own decoder reads: the same
events from the same bytes, however the bytes are cut into chunks, and the same refusals.
The SDK's decoder is the reference; no network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openai._streaming import SSEDecoder

from autogpt.llm.sse import StreamError, json_events

CHUNK = {"choices": [{"index": 0, "delta": {"content": "héllo"}, "finish_reason": None}]}
BODIES = {
    "lf": b'data: {"a": 1}\n\n: keep-alive\n\ndata: {"b": [2]}\n\ndata: [DONE]\n\n',
    "crlf": b'data: {"a": 1}\r\n\r\nevent: x\r\ndata: {"b":\r\ndata: 2}\r\n\r\n',
    "cr": b'data: {"a": 1}\r\rdata:{"c": 3}\r\r',
    "unicode": ("data: " + json.dumps(CHUNK, ensure_ascii=False) + "\n\n").encode() * 3,
    "cut": b'data: {"a": 1}\n\ndata: {"b": 2}',
    "no data": b'event: ping\n\ndata: {"a": 1}\n\n',
}


def _sdk(body: bytes, size: int) -> list[tuple[str | None, Any]]:
    found = []
    for sse in SSEDecoder().iter_bytes(_chunks(body, size)):
        if sse.data.startswith("[DONE]"):
            break
        found.append((sse.event, sse.json()))
    return found


def _ours(body: bytes, size: int) -> list[tuple[str | None, Any]]:
    return [(None, e) for e in json_events(_chunks(body, size))]


def _chunks(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
@pytest.mark.parametrize("name", ["lf", "crlf", "cr", "unicode", "cut"])
def test_the_same_chunks_as_the_sdk_reads_however_the_bytes_are_cut(name: str, size: int) -> None:
    expected = [(None, data) for _, data in _sdk(BODIES[name], size)]
    assert _ours(BODIES[name], size) == expected
    assert expected  # each body holds events


def test_an_event_without_data_is_unreadable_as_for_the_sdk() -> None:
    with pytest.raises(ValueError):
        _sdk(BODIES["no data"], 1000)
    with pytest.raises(ValueError):
        _ours(BODIES["no data"], 1000)


def test_a_chunk_that_is_not_json_or_not_utf8_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        list(json_events([b"data: {not json\n\n"]))
    with pytest.raises(ValueError):
        list(json_events([b'data: "\xff\xfe"\n\n']))


def test_an_error_inside_the_stream_is_raised_with_its_message() -> None:
    body = b'data: {"a": 1}\n\ndata: {"error": {"message": "overloaded", "code": 529}}\n\n'
    events = json_events([body])
    assert next(events) == {"a": 1}
    with pytest.raises(StreamError) as caught:
        next(events)
    assert caught.value.message == "overloaded"
    assert caught.value.body == {"message": "overloaded", "code": 529}


def test_nothing_after_done_is_read() -> None:
    assert list(json_events([b'data: {"a": 1}\n\ndata: [DONE]\n\ndata: {"b": 2}\n\n'])) == [
        {"a": 1}
    ]
