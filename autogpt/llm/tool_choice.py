"""``tool_choice: "required"`` where an endpoint fails it with a server error.

llama.cpp's server (llama-cpp-python, ``--chat_format chatml-function-calling``) accepts
``"auto"``, ``"none"`` or a named function; for ``"required"`` an assertion fails in its handler
and it answers 500 with an empty message. Retrying that with backoff only ends the run as "model
unavailable", so a 5xx to a "required" request is tried once more at once with "auto"; when that
works, "auto" is learnt as the endpoint's quirk and sent from then on. No openai import: the
SDK's errors carry ``status_code``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


AUTO = ("tool_choice", "auto")
"""The quirk learnt (``llm/quirks.py``): kept for the run and across ``--resume``, shown once."""


def with_auto_fallback(
    post: Callable[[dict[str, Any]], Any], body: dict[str, Any], learnt: Callable[[], None]
) -> Any:
    """``post(body)``; on a 5xx to a "required" body, ``post`` with "auto" at once, and when that
    works, ``learnt()``. If it fails too, the first error is raised (to the usual retries)."""
    try:
        return post(body)
    except Exception as exc:
        if body.get("tool_choice") != "required" or not _server_error(exc):
            raise
        try:
            response = post({**body, "tool_choice": "auto"})
        except Exception:
            raise exc from None
        log.warning('the endpoint fails tool_choice "required"; sending "auto" from now on')
        learnt()
        return response


def _server_error(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and 500 <= status < 600
