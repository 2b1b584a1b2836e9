"""``POST /v1/images/generations`` for the test model server, answered from a script of its own.

``server.images.add(b64_image(), url_image(), server_error())``: each image request takes the
next step. :class:`B64Image` answers ``{"data": [{"b64_json": ...}]}``; :class:`UrlImage` answers
``{"data": [{"url": ...}]}`` with a URL on the same server (``GET /v1/images/files/<n>.png``,
served once the answer is out); an ``Error`` (``openai_errors.py``) its status and body. Past the
script's end: 500 "test script exhausted", and ``problems()`` says so, as it says when steps are
left; the server's ``assert_complete`` includes them. A request OpenAI would refuse (no prompt,
``n`` other than 1, an unknown ``response_format``, ``response_format`` sent to a gpt-image
model) is answered 400 and fails the test. Requests land in ``requests`` (file downloads in
``downloads``).
"""

from __future__ import annotations

import base64
import struct
import threading
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.support.local_http import RawBody
from tests.support.model_script import RequestRecord
from tests.support.openai_bodies import Payload
from tests.support.openai_errors import Error, error

PREFIX = "/v1/images/"
FILES = "/v1/images/files/"


def tiny_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class B64Image:
    data: bytes
    revised_prompt: str | None = None


@dataclass(frozen=True)
class UrlImage:
    data: bytes
    content_type: str = "image/png"


def b64_image(data: bytes | None = None, *, revised_prompt: str | None = None) -> B64Image:
    return B64Image(data if data is not None else tiny_png(), revised_prompt)


def url_image(data: bytes | None = None) -> UrlImage:
    return UrlImage(data if data is not None else tiny_png())


ImageStep = B64Image | UrlImage | Error


class ImagesApi:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.requests: list[RequestRecord] = []
        self.downloads: list[str] = []
        self._steps: deque[ImageStep] = deque()
        self._files: dict[str, UrlImage] = {}
        self._overruns = 0
        self._failures: list[str] = []
        self._lock = threading.Lock()

    def add(self, *steps: ImageStep) -> ImagesApi:
        with self._lock:
            self._steps.extend(steps)
        return self

    def problems(self) -> list[str]:
        with self._lock:
            found = list(self._failures)
            if self._steps:
                found.append(f"{len(self._steps)} scripted image step(s) never requested")
            if self._overruns:
                found.append(f"{self._overruns} image request(s) came after the script's end")
        return found

    def answer(self, record: RequestRecord, path: str) -> Any:
        """The answer to ``POST /v1/images/generations`` or ``GET /v1/images/files/<name>``."""
        if record.method == "GET" and path.startswith(FILES):
            with self._lock:
                file = self._files.get(path.removeprefix(FILES))
                self.downloads.append(path)
            if file is None:
                return error(404, f"no such file {path}")
            return RawBody(file.data, file.content_type)
        if record.method != "POST" or path != "/v1/images/generations":
            return error(404, f"Invalid URL ({record.method} {path})")
        with self._lock:
            self.requests.append(record)
        refused = _invalid(record.body)
        if refused:
            with self._lock:
                self._failures.append(f"image request #{len(self.requests)}: {refused}")
            return error(400, refused, type="invalid_request_error")
        with self._lock:
            if not self._steps:
                self._overruns += 1
                return error(500, "test script exhausted", type="server_error")
            step = self._steps.popleft()
        record.answered_by = type(step).__name__
        if isinstance(step, Error):
            return step
        if isinstance(step, B64Image):
            item: dict[str, Any] = {"b64_json": base64.b64encode(step.data).decode("ascii")}
            if step.revised_prompt:
                item["revised_prompt"] = step.revised_prompt
        else:
            with self._lock:
                name = f"{len(self._files) + 1}.png"
                self._files[name] = step
            item = {"url": f"{self.base_url}/images/files/{name}"}
        return Payload({"created": 1700000000, "data": [item]})


def _invalid(body: Any) -> str | None:
    """What OpenAI would refuse in an images request, if anything."""
    if not isinstance(body, dict) or not isinstance(body.get("prompt"), str) or not body["prompt"]:
        return "'prompt' is a required property"
    if body.get("n", 1) != 1:
        return "this test server makes one image per request ('n': 1)"
    response_format = body.get("response_format")
    if response_format not in (None, "url", "b64_json"):
        return f"Invalid value for 'response_format': {response_format!r}"
    if response_format is not None and str(body.get("model", "")).startswith("gpt-image"):
        return "Unknown parameter: 'response_format'."
    return None
