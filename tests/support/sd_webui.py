"""A stand-in for a Stable Diffusion WebUI's API (AUTOMATIC1111 / Forge started with ``--api``),
which tests cannot run: a real one needs a GPU and gigabytes of model weights. It mocks that
service only; the agent's client, HTTP stack and proxies are the real ones.

``SdWebUiStandIn(failures=[500], auth="user:pw")`` listens on 127.0.0.1 (a free port); ``url`` is
its base URL. ``POST /sdapi/v1/txt2img`` answers as the WebUI does: ``{"images": [base64 PNG],
"parameters": {...}, "info": "..."}``, the PNG of the ``width`` x ``height`` asked for. Each
status in ``failures`` answers one request first (``{"error": ..., "detail": ...}``, as the WebUI
does). With ``auth`` set, a request without that Basic auth gets 401. Requests land in
``requests`` as ``(headers, body)``.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable
from typing import Any

from tests.support.images_api import tiny_png
from tests.support.local_http import LocalHandler, LocalServer


class SdWebUiStandIn:
    def __init__(self, *, failures: Iterable[int] = (), auth: str | None = None) -> None:
        self.failures = list(failures)
        self.auth = auth
        self.requests: list[tuple[dict[str, str], Any]] = []
        self._lock = threading.Lock()
        self._httpd = LocalServer(_Handler, owner=self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.port}"

    def close(self) -> None:
        self._httpd.close()

    def __enter__(self) -> SdWebUiStandIn:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def answer(self, handler: _Handler, body: Any) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append((headers, body))
            failure = self.failures.pop(0) if self.failures else None
        if handler.path != "/sdapi/v1/txt2img":
            handler.send_body(404, {"detail": "Not Found"})
            return
        if self.auth is not None:
            expected = "Basic " + base64.b64encode(self.auth.encode()).decode()
            if headers.get("authorization") != expected:
                handler.send_body(401, {"detail": "Incorrect credentials"})
                return
        if failure is not None:
            handler.send_body(
                failure, {"error": "RuntimeError", "detail": "CUDA out of memory", "body": ""}
            )
            return
        width, height = int(body.get("width", 512)), int(body.get("height", 512))
        image = base64.b64encode(tiny_png(width, height, (30, 90, 200))).decode("ascii")
        handler.send_body(
            200, {"images": [image], "parameters": body, "info": json.dumps({"seed": 1})}
        )


class _Handler(LocalHandler):
    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.owner.answer(self, json.loads(raw) if raw else {})
