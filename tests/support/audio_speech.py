"""``POST /v1/audio/speech`` for the model server: OpenAI's text-to-speech, stood in for.

It answers a request with OpenAI's fields (``model``, ``voice``, ``input``) with a short WAV
(0.1 s of a tone per 10 characters of the input, so its length follows the text), or, after
:func:`fail_with`, with that status and OpenAI's error body. Requests are recorded in the
server's ``other_requests``; the route is one line in ``model_server.py``.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import TYPE_CHECKING, Any

from tests.support.local_http import RawBody
from tests.support.openai_errors import Error, error

if TYPE_CHECKING:
    from tests.support.model_script import RequestRecord

RATE = 8000


def fail_with(server: Any, status: int) -> None:
    """From now on ``server`` answers speech requests with ``status`` (0: with audio again)."""
    server.speech_status = status


def answer(server: Any, record: RequestRecord) -> RawBody | Error:
    status = getattr(server, "speech_status", 0)
    if status:
        record.answered_by = f"speech {status}"
        return error(status, "The server had an error while processing your request.")
    body = record.body if isinstance(record.body, dict) else {}
    missing = [name for name in ("model", "voice", "input") if not body.get(name)]
    if missing:
        record.answered_by = "speech refused"
        return error(400, f"Missing required parameter: '{missing[0]}'.", param=missing[0])
    record.answered_by = "speech"
    return RawBody(wav_for(str(body["input"])), "audio/wav")


def wav_for(text: str) -> bytes:
    frames = RATE // 10 * max(1, math.ceil(len(text) / 10))
    samples = (int(8000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()
