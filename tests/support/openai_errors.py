"""OpenAI's error answers, as script steps: ``{"error": {"message", "type", "param", "code"}}``.

Statuses and wording as the service sends them (see ``../shared/OPENAI_PROTOCOL.md``): 401
invalid_api_key, 404 model_not_found, 429 rate_limit_exceeded with ``Retry-After``, 429
insufficient_quota, 500/502/503/504 server_error, 400 context_length_exceeded; plus vLLM's 400 for
``tools`` when it was started without a tool parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

VLLM_NO_TOOLS = (
    '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'
)


@dataclass(frozen=True)
class Error:
    """An HTTP error answer."""

    status: int
    message: str
    type: str | None = "invalid_request_error"
    code: str | int | None = None
    param: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    """A body to send instead of OpenAI's ``{"error": {...}}`` (a dict as JSON, a str as text)."""

    def payload(self) -> Any:
        if self.body is not None:
            return self.body
        fields = {"message": self.message, "type": self.type, "param": self.param}
        return {"error": {**fields, "code": self.code}}


def error(
    status: int,
    message: str,
    *,
    type: str | None = None,
    code: str | int | None = None,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
) -> Error:
    """An error answer; ``type`` defaults by status as OpenAI's do."""
    if type is None:
        type = {429: "requests"}.get(status, "invalid_request_error")
        type = "server_error" if status >= 500 else type
    return Error(status, message, type, code, param, dict(headers or {}), body)


def invalid_api_key(key: str = "sk-test") -> Error:
    shown = f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}" if len(key) > 7 else key
    return error(
        401,
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def model_not_found(model: str = "gpt-4") -> Error:
    return error(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def rate_limited(
    retry_after: float | None = 1, *, retry_after_ms: int | None = None, model: str = "gpt-4"
) -> Error:
    """429 rate_limit_exceeded with ``Retry-After`` (seconds) and/or ``retry-after-ms``."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    wait = f"{retry_after:g}s" if retry_after is not None else "a moment"
    return error(
        429,
        f"Rate limit reached for {model} in organization org-test on requests per min (RPM): "
        f"Limit 3, Used 3, Requested 1. Please try again in {wait}. Visit "
        "https://platform.openai.com/account/rate-limits to learn more.",
        code="rate_limit_exceeded",
        headers=headers,
    )


def insufficient_quota() -> Error:
    """429 that must not be retried: billing."""
    return error(
        429,
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type="insufficient_quota",
        code="insufficient_quota",
    )


_SERVER_MESSAGES = {
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The server is overloaded or not ready yet.",
    504: "Gateway timeout.",
}


def server_error(status: int = 500) -> Error:
    return error(status, _SERVER_MESSAGES.get(status, "Server error."), type="server_error")


def context_length_message(
    window: int, *, messages: int, functions: int = 0, completion: int | None = None
) -> str:
    """OpenAI's context_length_exceeded text, in its four variants (with or without tools and
    ``max_tokens``). The variant with both is as remembered from the service, not verified."""
    head = f"This model's maximum context length is {window} tokens. However, "
    total = messages + functions + (completion or 0)
    if completion is None and not functions:
        return (
            f"{head}your messages resulted in {messages} tokens. "
            "Please reduce the length of the messages."
        )
    if completion is None:
        return (
            f"{head}your messages resulted in {total} tokens ({messages} in the messages, "
            f"{functions} in the functions). Please reduce the length of the messages or functions."
        )
    if not functions:
        return (
            f"{head}you requested {total} tokens ({messages} in the messages, {completion} in the "
            "completion). Please reduce the length of the messages or completion."
        )
    return (
        f"{head}you requested {total} tokens ({messages} in the messages, {functions} in the "
        f"functions, and {completion} in the completion). Please reduce the length of the "
        "messages, functions, or completion."
    )


def context_length_exceeded(
    window: int = 4097, *, messages: int = 4310, functions: int = 0, completion: int | None = 100
) -> Error:
    message = context_length_message(
        window, messages=messages, functions=functions, completion=completion
    )
    return error(400, message, code="context_length_exceeded", param="messages")


def vllm_no_tools_error() -> Error:
    """The 400 of a vLLM server started without a tool parser, in vLLM's flat body shape."""
    body = {
        "object": "error",
        "message": VLLM_NO_TOOLS,
        "type": "BadRequestError",
        "param": None,
        "code": 400,
    }
    return error(400, VLLM_NO_TOOLS, type="BadRequestError", code=400, body=body)


ERROR_FACTORIES: dict[str, Callable[..., Error]] = {
    "invalid_api_key": invalid_api_key,
    "model_not_found": model_not_found,
    "rate_limited": rate_limited,
    "insufficient_quota": insufficient_quota,
    "server_error": server_error,
    "context_length_exceeded": context_length_exceeded,
}
