"""``tool_choice: "required"`` where an endpoint fails it with a server error.

llama.cpp's server (llama-cpp-python, ``--chat_format chatml-function-calling``) accepts
``"auto"``, ``"none"`` or a named function; for ``"required"`` an assertion fails in its handler
and it answers 500 with an empty message. Retrying that with backoff only ends the run as "model
unavailable", so a 5xx to a "required" request is tried once more at once with "auto"; when that
works, "auto" is sent for the rest of the run. No openai import: the SDK's errors carry
``status_code``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class ToolChoiceFallback:
    def __init__(self) -> None:
        self.auto = False
        """"required" failed with a server error and "auto" worked."""

    def choice(self, wanted: str) -> str:
        return "auto" if self.auto and wanted == "required" else wanted

    def post(self, post: Callable[[dict[str, Any]], Any], body: dict[str, Any]) -> Any:
        """``post(body)``; on a 5xx to a "required" body, ``post`` with "auto" at once. If that
        fails too, the first error is raised (to the usual retries)."""
        try:
            return post(body)
        except Exception as exc:
            if body.get("tool_choice") != "required" or not _server_error(exc):
                raise
            try:
                response = post({**body, "tool_choice": "auto"})
            except Exception:
                raise exc from None
            self.auto = True
            log.warning('the endpoint fails tool_choice "required"; sending "auto" from now on')
            return response


def _server_error(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and 500 <= status < 600
