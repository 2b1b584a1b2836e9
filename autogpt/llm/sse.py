"""The events of a streamed chat answer (server-sent events), decoded from its bytes.

The SDK's own decoder and stream wrapper cost a few microseconds per layer per chunk, and a
reply arrives in a chunk or so per token: a third of a streamed request's CPU time
(bench/serve.py). This reads the same format (WHATWG ``text/event-stream``: lines ending in
``\\n``, ``\\r\\n`` or ``\\r``; ``data:`` lines joined; ``:`` comments; an empty line ends an event)
and yields each event's data as parsed JSON, as the SDK's ``Stream[object]`` does, until
``[DONE]``. No openai import: the client maps :class:`StreamError` and the transport's errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

DONE = "[DONE]"


class StreamError(Exception):
    """The endpoint sent an error inside the stream (an object with an ``error``)."""

    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message)
        self.message = message
        self.body = body


def json_events(raw: Iterable[bytes]) -> Iterator[Any]:
    """Each event's data, parsed (``ValueError`` if it is not JSON), until ``[DONE]`` or the
    end; an event with ``error`` set raises :class:`StreamError`. Events named ``thread.*``
    (the Assistants API) are not chat chunks: they are yielded as ``{"data", "event"}``."""
    for event, data in _events(raw):
        if data.startswith(DONE):
            return
        parsed = json.loads(data)
        thread = event is not None and event.startswith("thread.")
        if isinstance(parsed, dict) and parsed.get("error") and (not thread or event == "error"):
            error = parsed["error"]
            message = error.get("message") if isinstance(error, dict) else None
            if not message or not isinstance(message, str):
                message = "An error occurred during streaming"
            raise StreamError(message, error)
        yield {"data": parsed, "event": event} if thread else parsed


def _events(raw: Iterable[bytes]) -> Iterator[tuple[str | None, str]]:
    """(event name, data) of each event, in order; an event not ended by an empty line (a cut
    stream) is left out, as the SDK leaves it out."""
    event: str | None = None
    data: list[str] = []
    other = False  # an ``id:`` or ``retry:`` line: the event is dispatched, its data empty
    for text in _lines(raw):
        if text:
            if text.startswith(":"):
                continue  # a comment (a keep-alive)
            name, _, value = text.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name in ("id", "retry"):
                other = True
        elif data or event or other:
            yield event, "\n".join(data)
            event, data, other = None, [], False


def _lines(raw: Iterable[bytes]) -> Iterator[str]:
    """Each whole line, without its end, as UTF-8 (``ValueError`` if it is not)."""
    pending = b""
    for chunk in raw:
        if not chunk:
            continue
        lines = (pending + chunk).splitlines(keepends=True)
        # a line is whole once its end is seen; a last "\r" may be the first half of "\r\n"
        pending = b"" if lines[-1].endswith(b"\n") else lines.pop()
        for line in lines:
            yield line.rstrip(b"\r\n").decode("utf-8")
    if pending.endswith(b"\r"):  # it was whole after all: the stream ended
        yield pending[:-1].decode("utf-8")
