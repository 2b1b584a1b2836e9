"""Streamed answers of the test model server: a scripted reply as OpenAI's server-sent events.

To a request with ``"stream": true`` a :class:`Reply` (or :class:`Streamed`, with timings) goes
out as OpenAI sends it: ``chat.completion.chunk`` objects in ``data:`` lines, the first with the
assistant role, then ``reasoning_content``, the text and each tool call's arguments in pieces
(a tool call's id and name in its first piece), one chunk with the finish_reason, then, when the
request asked for ``stream_options.include_usage``, a chunk with no choices and the usage, and
``data: [DONE]``. The body is chunked (HTTP/1.1), so a stream cut midway (``drop_after``) is
seen by the client as the broken answer it is, not as a short one.

A plain :class:`Reply` goes in pieces of 8 characters, or about 64 pieces when it is long.
A server made with ``streams=False`` is a relay that ignores ``stream`` and answers one whole
JSON completion.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from tests.support.local_http import LocalHandler
from tests.support.model_script import Reply, RequestRecord, Streamed
from tests.support.openai_bodies import completion_body


def wants_stream(record: RequestRecord) -> bool:
    return isinstance(record.body, dict) and record.body.get("stream") is True


def send(
    handler: LocalHandler,
    record: RequestRecord,
    step: Reply | Streamed,
    *,
    closing: threading.Event,
    streams: bool = True,
) -> None:
    """Answer ``record`` with ``step``: streamed when asked for (and ``streams``), else whole."""
    timing = step if isinstance(step, Streamed) else Streamed(step, _chunk_chars(step))
    whole = completion_body(record, timing.reply)
    if not wants_stream(record) or not streams:
        handler.send_body(200, whole)
        return
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    if timing.first_delay and closing.wait(timing.first_delay):
        return
    for sent, event in enumerate(_events(record, timing, whole)):
        if timing.drop_after is not None and sent >= timing.drop_after:
            if timing.ended:
                handler.wfile.write(b"0\r\n\r\n")
            return  # without ``ended``, no last chunk: the client sees the connection break
        if sent and timing.chunk_delay and closing.wait(timing.chunk_delay):
            return
        data = f"data: {event}\n\n".encode()
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        handler.wfile.flush()
        record.chunks_sent.append(time.monotonic())
    handler.wfile.write(b"0\r\n\r\n")


def _events(record: RequestRecord, timing: Streamed, whole: dict[str, Any]) -> Iterator[str]:
    """The ``data:`` payloads, ``[DONE]`` last."""
    usage_asked = bool((record.body.get("stream_options") or {}).get("include_usage"))
    choice = whole["choices"][0]
    message = choice["message"]
    size = max(1, timing.chunk_chars)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body: dict[str, Any] = {
            "id": whole["id"],
            "object": "chat.completion.chunk",
            "created": whole["created"],
            "model": whole["model"],
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if usage_asked:
            body["usage"] = None
        return json.dumps(body, ensure_ascii=False)

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    for piece in _pieces(message.get("reasoning_content"), size):
        yield chunk({"reasoning_content": piece})
    for piece in _pieces(message.get("content"), size):
        yield chunk({"content": piece})
    for index, call in enumerate(message.get("tool_calls") or []):
        fn = call["function"]
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": fn["name"], "arguments": ""},
                    }
                ]
            }
        )
        for piece in _pieces(fn["arguments"], size):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, choice["finish_reason"])
    if usage_asked and "usage" in whole:
        yield json.dumps(
            {
                "id": whole["id"],
                "object": "chat.completion.chunk",
                "created": whole["created"],
                "model": whole["model"],
                "choices": [],
                "usage": whole["usage"],
            }
        )
    yield "[DONE]"


def _chunk_chars(step: Reply) -> int:
    """A plain reply's piece size: 8 characters, larger for a long reply (about 64 pieces)."""
    total = len(step.text or "") + len(step.reasoning or "")
    total += sum(len(call.arguments) for call in step.tool_calls)
    return max(8, total // 64)


def _pieces(text: str | None, size: int) -> Iterator[str]:
    for start in range(0, len(text or ""), size):
        yield (text or "")[start : start + size]
