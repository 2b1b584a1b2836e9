"""The model-client boundary: ``ModelClient`` and its OpenAI-compatible implementation.

The ONLY module that imports ``openai``. It knows no prompt text. Retries are ours (the SDK's
own are off) so every wait is shown and counted: ``on_wait`` is told before each sleep.
Transient failures that outlast the retries become :class:`ModelUnavailable` (exit 3);
non-retryable ones :class:`ModelRejected` with one clear line; an overflow
:class:`ContextOverflow` and a refusal of ``tools`` :class:`ToolsRejected`, for the cycle to handle.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from autogpt.config.proxy import proxy_for, redact
from autogpt.config.settings import Settings
from autogpt.errors import EXIT_STOPPED, EXIT_USAGE, ModelRejected, ModelUnavailable
from autogpt.llm.catalog import is_reasoning_model
from autogpt.llm.retry import Failure, RetryPolicy, parse_retry_after
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
    ) -> tuple[list[list[float]], int]:
        ...


class OpenAIModelClient:
    def __init__(self, settings: Settings, *, on_wait: WaitCallback | None = None) -> None:
        self.settings = settings
        self.base_url = settings.openai_api_base or DEFAULT_BASE
        self.on_wait = on_wait
        self.policy = RetryPolicy(
            max_retries=settings.openai_max_retries, max_delay=settings.openai_retry_max_wait
        )
        self._client: Any = None
        self.retries_last_request = 0

    def _sdk(self) -> Any:
        if self._client is None:
            import openai

            key = self.settings.openai_api_key
            self._client = openai.OpenAI(
                api_key=key.get_secret_value() if key else "missing",
                base_url=self.base_url,
                max_retries=0,
                timeout=self.settings.openai_timeout,
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
                kwargs["tool_choice"] = request.tool_choice
        logged = wire_log.isEnabledFor(logging.DEBUG)  # bodies are large: dump only if kept
        if logged:
            wire_log.debug(json.dumps({"request": kwargs, "purpose": request.purpose},
                                      default=str))
        response = self._with_retries(lambda: self._post_chat(kwargs))
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
                failure = Failure("timeout", message="request timed out")
            except openai.APIConnectionError as exc:
                failure = Failure("connection", message=_root_cause(exc))
            attempt += 1
            if not failure.retryable or attempt > self.policy.max_retries:
                raise self._final_error(failure, attempts=attempt) from None
            delay = self.policy.delay(attempt, failure)
            self.retries_last_request = attempt
            log.warning("model %s, retry %d/%d in %.1f s", failure.short(), attempt,
                        self.policy.max_retries, delay)
            if self.on_wait:
                self.on_wait(attempt, self.policy.max_retries, delay, failure)
            time.sleep(delay)

    def _status_failure(self, exc: Any) -> Failure:
        body = exc.body if isinstance(exc.body, dict) else {}
        inner = body.get("error", body) if isinstance(body.get("error"), dict) else body
        message = str(inner.get("message") or exc.message)
        code = inner.get("code") or inner.get("type")
        failure = Failure(
            "status",
            status=exc.status_code,
            code=str(code) if code else None,
            message=message,
            retry_after=parse_retry_after(exc.response.headers),
        )
        if exc.status_code == 400:
            if failure.code == "context_length_exceeded" or "maximum context length" in message:
                raise ContextOverflow(message)
            if "tool" in message.lower() and ("tool_choice" in message or "tools" in message
                                              or "tool choice" in message):
                raise ToolsRejected(message)
        return failure

    def _final_error(self, failure: Failure, *, attempts: int) -> Exception:
        where = self.base_url
        proxy = proxy_for(where, self.settings)
        via = f" through proxy {redact(proxy)}" if proxy else ""
        if failure.status == 401:
            return ModelRejected(
                f"The model endpoint refused the API key (401): {failure.message} "
                "Set OPENAI_API_KEY in .env (or the environment) to a valid key.",
                exit_code=EXIT_USAGE, reason="bad api key",
            )
        if failure.status == 404:
            return ModelRejected(
                f"Model not found (404): {failure.message} Check FAST_LLM_MODEL / SMART_LLM_MODEL"
                " in .env, or run with --gpt3only.",
                exit_code=EXIT_USAGE, reason="model not found",
            )
        if failure.code == "insufficient_quota":
            return ModelRejected(
                f"Your OpenAI quota is used up (insufficient_quota): {failure.message} "
                "Add credit, then resume the run.",
                exit_code=EXIT_STOPPED, reason="insufficient quota",
            )
        if failure.retryable:
            return ModelUnavailable(
                f"The model at {where} could not be reached{via} after {attempts} attempts "
                f"(last: {failure.short()}: {failure.message})".rstrip()
            )
        return ModelRejected(
            f"The model endpoint rejected the request ({failure.short()}): {failure.message}",
            exit_code=EXIT_STOPPED, reason="request rejected",
        )


KEY_CHECK_TIMEOUT = 15.0


def check_key(settings: Settings, key: str | None) -> None:
    """One GET /models with ``key`` (none: without a key), no retries, a short timeout. Raises
    ModelRejected (a refused key: reason "bad api key") or ModelUnavailable."""
    from pydantic import SecretStr

    quick = settings.model_copy(update={
        "openai_api_key": SecretStr(key) if key else None, "openai_max_retries": 0,
        "openai_timeout": min(settings.openai_timeout, KEY_CHECK_TIMEOUT)})
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


def _to_reply(response: Any) -> ChatReply:
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice else None
    calls = []
    for call in (getattr(message, "tool_calls", None) or []):
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
