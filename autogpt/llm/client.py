"""The model-client boundary: ``ModelClient`` and its OpenAI-compatible implementation.

The ONLY module that imports ``openai``. It knows no prompt text. Retries are ours (the SDK's
own are off) so every wait is shown and counted: ``on_wait`` is told before each sleep.
Transient failures that outlast the retries become :class:`ModelUnavailable` (exit 3);
non-retryable ones :class:`ModelRejected` with one clear line; an overflow
:class:`ContextOverflow` and a refusal of ``tools`` :class:`ToolsRejected`, for the cycle to handle.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from autogpt.config.proxy import proxy_setting, redact
from autogpt.config.settings import Settings
from autogpt.errors import (
    EXIT_STOPPED,
    EXIT_USAGE,
    ConfigError,
    ModelRejected,
    ModelUnavailable,
)
from autogpt.llm.catalog import is_reasoning_model
from autogpt.llm.response_cap import ResponseTooLarge, capped_transport
from autogpt.llm.retry import Failure, RetryPolicy, parse_retry_after, unreachable_reason
from autogpt.llm.tool_choice import ToolChoiceFallback
from autogpt.llm.types import ChatReply, ChatRequest, ToolCall, Usage

log = logging.getLogger(__name__)
wire_log = logging.getLogger("autogpt.wire")

WaitCallback = Callable[[int, int, float, Failure], None]
"""(retry number, max retries, seconds, failure) — shown to the user before each wait."""

DEFAULT_BASE = "https://api.openai.com/v1"


class ContextOverflow(Exception):
    """The endpoint said the request was too long (400 context_length_exceeded)."""


class ToolsRejected(Exception):
    """The endpoint refused the ``tools`` parameter (some self-hosted servers do)."""


class ModelClient(Protocol):
    def complete(self, request: ChatRequest) -> ChatReply: ...

    def embed(
        self, texts: list[str], *, model: str, dimensions: int | None
    ) -> tuple[list[list[float]], int]: ...


class OpenAIModelClient:
    def __init__(self, settings: Settings, *, on_wait: WaitCallback | None = None) -> None:
        self.settings = settings
        self.base_url = settings.openai_api_base or DEFAULT_BASE
        self.on_wait = on_wait
        self.policy = RetryPolicy(
            max_retries=settings.openai_max_retries, max_delay=settings.openai_retry_max_wait
        )
        self.proxy_setting = proxy_setting(self.base_url, settings)
        """``(variable, URL)`` of the proxy to the model (NO_PROXY as every client reads it)."""
        if self.proxy_setting and urlsplit(self.proxy_setting[1]).scheme.lower() in (
            "socks4",
            "socks4a",
        ):
            name, proxy = self.proxy_setting
            raise ConfigError(
                f"{name}={redact(proxy)}: the model client cannot use a SOCKS4 "
                "proxy; use socks5:// or http://, or list the model's host in "
                "NO_PROXY"
            )
        self._client: Any = None
        self.retries_last_request = 0
        self.tool_choice = ToolChoiceFallback()

    @property
    def proxy(self) -> str | None:
        return self.proxy_setting[1] if self.proxy_setting else None

    def _sdk(self) -> Any:
        if self._client is None:
            import openai

            key = self.settings.openai_api_key
            self._client = openai.OpenAI(
                api_key=key.get_secret_value() if key else "missing",
                base_url=self.base_url,
                max_retries=0,
                timeout=self.settings.openai_timeout,
                http_client=_http_client(openai.DefaultHttpxClient, self.proxy),
            )
        return self._client

    # --- chat ---------------------------------------------------------------------------
    def complete(self, request: ChatRequest) -> ChatReply:
        kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages}
        if is_reasoning_model(request.model):
            kwargs["max_completion_tokens"] = request.max_tokens
        else:
            kwargs["max_tokens"] = request.max_tokens
            kwargs["temperature"] = request.temperature
        if request.tools:
            kwargs["tools"] = request.tools
            if request.tool_choice:
                kwargs["tool_choice"] = self.tool_choice.choice(request.tool_choice)
        logged = wire_log.isEnabledFor(logging.DEBUG)  # bodies are large: dump only if kept
        if logged:
            wire_log.debug(json.dumps({"request": kwargs, "purpose": request.purpose}, default=str))
        response = self._with_retries(lambda: self.tool_choice.post(self._post_chat, kwargs))
        if logged:
            wire_log.debug(response.model_dump_json())
        return _to_reply(response)

    def _post_chat(self, body: dict[str, Any]) -> Any:
        """POST /chat/completions through the SDK (auth, proxies, timeouts, typed errors and a
        typed response), with the body as built. ``chat.completions.create`` first walks every
        message through the SDK's TypedDict transform, a no-op for these plain-JSON bodies that
        costs milliseconds per request as the history grows (bench/cycle_overhead.py)."""
        from openai.types.chat import ChatCompletion

        return self._sdk().post("/chat/completions", body=body, cast_to=ChatCompletion)

    # --- embeddings ---------------------------------------------------------------------
    def embed(
        self, texts: list[str], *, model: str, dimensions: int | None
    ) -> tuple[list[list[float]], int]:
        """One vector per text, in order, and the input tokens billed for them."""
        kwargs: dict[str, Any] = {"model": model, "input": texts}
        if dimensions:
            kwargs["dimensions"] = dimensions
        response = self._with_retries(lambda: self._sdk().embeddings.create(**kwargs))
        vectors = [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
        usage = getattr(response, "usage", None)
        return vectors, int(getattr(usage, "prompt_tokens", 0) or 0)

    def list_models(self) -> list[str]:
        """GET /models: the cheapest request that proves a key works (the key check)."""
        return [m.id for m in self._with_retries(lambda: self._sdk().models.list()).data]

    # --- retries and error mapping ------------------------------------------------------
    def _with_retries(self, call: Callable[[], Any]) -> Any:
        import openai

        self.retries_last_request = 0
        attempt = 0
        while True:
            try:
                return call()
            except openai.APIStatusError as exc:
                failure = self._status_failure(exc)
            except openai.APITimeoutError:
                failure = self._failure(
                    "timeout", message=f"timed out after {self.settings.openai_timeout:g} s"
                )
            except openai.APIConnectionError as exc:
                failure = self._connection_failure(exc)
            except ResponseTooLarge as exc:  # raised while the SDK reads the body
                failure = self._failure("too_large", message=str(exc))
            attempt += 1
            if not self.policy.allows(attempt, failure):
                raise self._final_error(failure, attempts=attempt) from None
            delay = self.policy.delay(attempt, failure)
            self.retries_last_request = attempt
            total = self.policy.max_retries
            if failure.kind == "unreachable":
                total = min(total, self.policy.unreachable_retries)
            log.warning("retry %d/%d in %.1f s: %s", attempt, total, delay, failure.describe())
            if self.on_wait:
                self.on_wait(attempt, total, delay, failure)
            time.sleep(delay)

    def _failure(self, kind: str, **details: Any) -> Failure:
        """A failure of a request to the model, with where it went (and through which proxy)."""
        proxy = redact(self.proxy) if self.proxy else None
        return Failure(kind, endpoint=self.base_url, proxy=proxy, **details)

    def _connection_failure(self, exc: BaseException) -> Failure:
        """Nothing answered (refused, unknown name: ``unreachable``), the proxy refused the
        credentials (``proxy_auth``), or the connection broke (``connection``). With a proxy,
        the connection is to the proxy, so a refusal is the proxy's."""
        cause = _root_cause(exc)
        if self.proxy and _is_proxy_auth_refusal(exc):
            return self._failure("proxy_auth", status=407, message=cause)
        reason = unreachable_reason(exc)
        if reason:  # a ProxyError: the proxy answered, and could not reach the model itself
            return self._failure(
                "unreachable",
                message=reason,
                at_proxy=bool(self.proxy) and not _is_proxy_error(exc),
            )
        return self._failure("connection", message=cause)

    def _status_failure(self, exc: Any) -> Failure:
        body = exc.body if isinstance(exc.body, dict) else {}
        inner = body.get("error", body) if isinstance(body.get("error"), dict) else body
        message = str(inner.get("message") or exc.message)
        code = inner.get("code") or inner.get("type")
        if exc.status_code == 407 and self.proxy:
            return self._failure("proxy_auth", status=407, message=message)
        failure = self._failure(
            "status",
            status=exc.status_code,
            code=str(code) if code else None,
            message=message,
            retry_after=parse_retry_after(exc.response.headers),
        )
        if exc.status_code == 400:
            if failure.code == "context_length_exceeded" or "maximum context length" in message:
                raise ContextOverflow(message)
            if "tool" in message.lower() and (
                "tool_choice" in message or "tools" in message or "tool choice" in message
            ):
                raise ToolsRejected(message)
        return failure

    def _final_error(self, failure: Failure, *, attempts: int) -> Exception:
        where = self.base_url
        proxy = self.proxy
        via = f" through proxy {redact(proxy)}" if proxy else ""
        if failure.kind == "proxy_auth" and self.proxy_setting:
            return self._proxy_refused(*self.proxy_setting)
        if failure.kind == "too_large":
            return ModelRejected(
                f"The model endpoint at {where} sent an unusable answer: {failure.message}. "
                "It was dropped unread; check the endpoint, then resume the run.",
                exit_code=EXIT_STOPPED,
                reason="answer too large",
            )
        if failure.status == 401:
            return ModelRejected(
                f"The model endpoint refused the API key (401): {failure.message} "
                "Set OPENAI_API_KEY in .env (or the environment) to a valid key.",
                exit_code=EXIT_USAGE,
                reason="bad api key",
            )
        if failure.status == 404:
            return ModelRejected(
                f"Model not found (404): {failure.message} Check FAST_LLM_MODEL / SMART_LLM_MODEL"
                " in .env, or run with --gpt3only.",
                exit_code=EXIT_USAGE,
                reason="model not found",
            )
        if failure.code == "insufficient_quota":
            return ModelRejected(
                f"Your OpenAI quota is used up (insufficient_quota): {failure.message} "
                "Add credit, then resume the run.",
                exit_code=EXIT_STOPPED,
                reason="insufficient quota",
            )
        if failure.kind == "unreachable":
            check = (
                f"{self.proxy_setting[0]} ({redact(proxy)})"
                if self.proxy_setting and proxy
                else f"OPENAI_API_BASE ({where})"
            )
            reason = f"{failure.message} (at the proxy)" if failure.at_proxy else failure.message
            return ModelUnavailable(
                f"The model at {where} could not be reached{via} after {attempts} attempts: "
                f"{reason}. Check {check}."
            )
        if failure.retryable:
            return ModelUnavailable(
                f"The model at {where} could not be reached{via} after {attempts} attempts "
                f"(last: {failure.describe()})"
            )
        return ModelRejected(
            f"The model endpoint rejected the request ({failure.short()}): {failure.message}",
            exit_code=EXIT_STOPPED,
            reason="request rejected",
        )

    def _proxy_refused(self, name: str, proxy: str) -> ModelRejected:
        parts = urlsplit(proxy)
        socks = parts.scheme.lower().startswith("socks")
        what = (
            "the user name and password (SOCKS5)"
            if socks
            else (
                "the credentials (407 Proxy Authentication Required)"
                if parts.password
                else "the request: it wants a user name and password "
                "(407 Proxy Authentication Required)"
            )
        )
        scheme = parts.scheme or "http"
        return ModelRejected(
            f"The proxy at {redact(proxy)} refused {what} for the model at {self.base_url}. "
            f"Put the right ones in {name} ({scheme}://user:password@host:port).",
            exit_code=EXIT_USAGE,
            reason="proxy refused the credentials",
        )


def _http_client(base: type, proxy: str | None) -> Any:
    """The SDK's HTTP client with the proxy ``config.proxy`` chose (not httpx's own reading of
    the environment), closed when dropped, as the SDK closes the one it makes itself."""

    class _Client(base):  # type: ignore[misc]  # a base class chosen at run time
        def __del__(self) -> None:
            if not self.is_closed:
                with contextlib.suppress(Exception):
                    self.close()

    return _Client(transport=capped_transport(proxy), trust_env=False)


KEY_CHECK_TIMEOUT = 15.0


def check_key(settings: Settings, key: str | None) -> None:
    """One GET /models with ``key`` (none: without a key), no retries, a short timeout. Raises
    ModelRejected (a refused key: reason "bad api key") or ModelUnavailable."""
    from pydantic import SecretStr

    quick = settings.model_copy(
        update={
            "openai_api_key": SecretStr(key) if key else None,
            "openai_max_retries": 0,
            "openai_timeout": min(settings.openai_timeout, KEY_CHECK_TIMEOUT),
        }
    )
    OpenAIModelClient(quick).list_models()


def needs_key(settings: Settings) -> bool:
    """True when the endpoint answers 401 to a request without a key."""
    try:
        check_key(settings, None)
    except ModelRejected as exc:
        return exc.reason == "bad api key"
    except ModelUnavailable:
        return False
    return False


def _root_cause(exc: BaseException) -> str:
    seen = exc
    while seen.__cause__ is not None:
        seen = seen.__cause__
    text = str(seen) or type(seen).__name__
    return text if seen is not exc else (str(exc) or "connection error")


def _is_proxy_error(exc: BaseException) -> bool:
    """Whether ``exc`` came from the proxy's answer (httpx's ProxyError), not from the socket."""
    current: BaseException | None = exc
    while current is not None:
        if type(current).__name__ == "ProxyError":
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_proxy_auth_refusal(exc: BaseException) -> bool:
    """A CONNECT answered 407, or a SOCKS5 proxy that refused the user name and password."""
    if not _is_proxy_error(exc):
        return False
    text = _root_cause(exc).lower()
    return "407" in text or "authentication" in text or "password" in text


def _to_reply(response: Any) -> ChatReply:
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice else None
    calls = []
    for call in getattr(message, "tool_calls", None) or []:
        fn = getattr(call, "function", None)
        if fn is None:
            continue
        calls.append(ToolCall(id=call.id or "", name=fn.name or "", arguments=fn.arguments or ""))
    usage = response.usage
    return ChatReply(
        text=getattr(message, "content", None),
        tool_calls=calls,
        usage=Usage(
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        ),
        finish_reason=choice.finish_reason if choice else None,
        model=response.model or "",
    )
