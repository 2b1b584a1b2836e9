"""The model-client boundary: ``ModelClient`` and its OpenAI-compatible implementation.

The ONLY module that imports ``openai``. It knows no prompt text. Retries are ours (the SDK's
own are off) so every wait is shown and counted: ``on_wait`` is told before each sleep.
Transient failures that outlast the retries become :class:`ModelUnavailable` (exit 3);
non-retryable ones :class:`ModelRejected` with one clear line; an overflow
:class:`ContextOverflow` and a refusal of ``tools`` :class:`ToolsRejected`, for the cycle to handle.
A refusal that ``llm/quirks.py`` recognises (a parameter, a role, a ``tool_choice``) is learnt,
told to ``on_learnt(name, value)`` once, and the request sent again without it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from autogpt.config.azure import azure_setup
from autogpt.config.proxy import proxy_setting, redact
from autogpt.config.settings import Settings
from autogpt.errors import ConfigError
from autogpt.llm.catalog import encoding, is_reasoning_model
from autogpt.llm.failures import final_error
from autogpt.llm.quirks import Learnt, Quirks, build_body, recognise, stated_window
from autogpt.llm.replies import StreamCut, StreamEmpty, from_completion, from_stream
from autogpt.llm.response_cap import ResponseTooLarge, http_client
from autogpt.llm.retry import (
    Failure,
    RetryPolicy,
    is_proxy_auth_refusal,
    is_proxy_error,
    parse_retry_after,
    root_cause,
    unreachable_reason,
)
from autogpt.llm.sse import StreamError, json_events
from autogpt.llm.tokens import encoder
from autogpt.llm.tool_choice import AUTO, with_auto_fallback
from autogpt.llm.types import ChatReply, ChatRequest

log = logging.getLogger(__name__)
wire_log = logging.getLogger("autogpt.wire")

WaitCallback = Callable[[int, int, float, Failure], None]
"""(retry number, max retries, seconds, failure) — shown to the user before each wait."""
LearntCallback = Callable[[str, Any], None]
"""(name, value) of a quirk just learnt (``llm/quirks.py``): journalled and shown once."""

DEFAULT_BASE = "https://api.openai.com/v1"


class ContextOverflow(Exception):
    """The endpoint said the request was too long (400 context_length_exceeded). ``window``: the
    window it stated, when that is news (learnt as a quirk: keep within it from now on)."""

    def __init__(self, message: str, *, window: int | None = None) -> None:
        super().__init__(message)
        self.window = window


class _Refused(Exception):
    """A 400 that a quirk rule recognised: learnt, then the request is sent again."""

    def __init__(self, learnt: Learnt) -> None:
        super().__init__(learnt.name)
        self.learnt = learnt


class ToolsRejected(Exception):
    """The endpoint refused the ``tools`` parameter (some self-hosted servers do)."""


class ModelClient(Protocol):
    def complete(self, request: ChatRequest) -> ChatReply: ...

    def embed(
        self, texts: list[str], *, model: str, dimensions: int | None
    ) -> tuple[list[list[float]], int]: ...


class OpenAIModelClient:
    def __init__(
        self,
        settings: Settings,
        *,
        on_wait: WaitCallback | None = None,
        quirks: Quirks | None = None,
        on_learnt: LearntCallback | None = None,
    ) -> None:
        self.settings = settings
        self.azure = azure_setup(settings)
        """USE_AZURE: the endpoint, API version and a deployment per model (AzureOpenAI)."""
        self.quirks = quirks or Quirks()
        """What was learnt about the endpoint (``quirks.to_dict()`` for the journal)."""
        self.on_learnt = on_learnt
        self.base_url = settings.openai_api_base or DEFAULT_BASE
        if self.azure:
            self.base_url = f"{self.azure.endpoint}/openai"
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

    @property
    def proxy(self) -> str | None:
        return self.proxy_setting[1] if self.proxy_setting else None

    def _sdk(self) -> Any:
        if self._client is None:
            import openai

            key = self.settings.openai_api_key
            common: dict[str, Any] = {
                "api_key": key.get_secret_value() if key else "missing",
                "max_retries": 0,
                "timeout": self.settings.openai_timeout,
                "http_client": http_client(openai.DefaultHttpxClient, self.proxy),
            }
            if self.azure:  # POST /openai/deployments/<deployment>/...?api-version=, api-key
                self._client = openai.AzureOpenAI(
                    azure_endpoint=self.azure.endpoint, api_version=self.azure.api_version, **common
                )
            else:
                self._client = openai.OpenAI(base_url=self.base_url, **common)
        return self._client

    # --- chat ---------------------------------------------------------------------------
    def complete(self, request: ChatRequest) -> ChatReply:
        logged = wire_log.isEnabledFor(logging.DEBUG)  # bodies are large: dump only if kept
        while True:  # each pass learns one more quirk; there are few, each learnt once
            body = build_body(
                self.azure.deployment(request.model) if self.azure else request.model,
                request.messages,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                tools=request.tools,
                tool_choice=request.tool_choice,
                reasoning_model=is_reasoning_model(request.model),
                quirks=self.quirks,
                stream=self.settings.stream_replies,
            )
            if logged:
                wire_log.debug(json.dumps({"request": body, "purpose": request.purpose}))
            post = functools.partial(self._post_chat, request=request)
            try:
                reply: ChatReply = self._with_retries(
                    functools.partial(with_auto_fallback, post, body, lambda: self._learn(*AUTO)),
                    body=body,
                )
                break
            except _Refused as refused:
                self._learn(refused.learnt.name, refused.learnt.value)
        if logged:
            wire_log.debug(json.dumps({"reply": dataclasses.asdict(reply)}, default=str))
        return reply

    def _model_of(self, sent: str) -> str:
        """The model a request was for (on Azure the body names its deployment)."""
        if self.azure:
            for model, deployment in self.azure.deployments.items():
                if deployment == sent:
                    return model
        return sent

    def _learn(self, name: str, value: Any) -> None:
        log.warning("endpoint quirk learnt: %s=%r", name, value)
        self.quirks.learn(name, value)
        if self.on_learnt:
            self.on_learnt(name, value)

    def _post_chat(self, body: dict[str, Any], *, request: ChatRequest) -> ChatReply:
        """POST /chat/completions through the SDK (auth, proxies, timeouts, typed errors and a
        typed response), with the body as built. ``chat.completions.create`` first walks every
        message through the SDK's TypedDict transform, a no-op for these plain-JSON bodies that
        costs milliseconds per request as the history grows (bench/cycle_overhead.py).

        Streaming, httpx's read timeout (which applies to each read of the socket, not to the
        whole answer) is OPENAI_TIMEOUT until the answer starts (its status and headers), then
        STREAM_IDLE_TIMEOUT for each wait for more of it: a long reply that keeps arriving is
        never cut off by a total. Its events are read by ``llm/sse.py``."""
        import httpx2
        import openai
        from openai.types.chat import ChatCompletion

        if not body.get("stream"):
            return from_completion(
                self._sdk().post("/chat/completions", body=body, cast_to=ChatCompletion)
            )
        timeout = httpx2.Timeout(self.settings.openai_timeout)
        stream = self._sdk().post(
            "/chat/completions",
            body=body,
            cast_to=ChatCompletion,
            options={"timeout": timeout},
            stream=True,
            stream_cls=openai.Stream[object],  # only its response is read, not its events
        )
        with stream:
            if "json" in stream.response.headers.get("content-type", ""):
                return self._whole_answer(stream.response.read())
            limits = stream.response.request.extensions.get("timeout")
            if isinstance(limits, dict):  # httpcore reads it as the body's reading begins
                limits["read"] = self.settings.stream_idle_timeout
            try:
                return from_stream(
                    json_events(stream.response.iter_bytes()),
                    on_delta=request.on_delta,
                    estimate=encoder(encoding(request.model)).count,
                )
            except StreamEmpty:  # asked again at once without streaming, from then on
                raise _Refused(Learnt("stream", False)) from None
            except ValueError as exc:  # a chunk that is not JSON: a garbled answer, retried
                raise StreamCut(f"the stream held an unreadable chunk ({exc})") from None

    def _whole_answer(self, raw: bytes) -> ChatReply:
        """A relay's one JSON completion to a streaming request: used, and whole replies asked
        for from then on."""
        from openai.types.chat import ChatCompletion

        try:
            whole = ChatCompletion.model_validate_json(raw)
        except ValueError:
            raise StreamCut("a streaming request was answered with JSON that is no reply") from None
        self._learn("stream", False)
        return from_completion(whole)

    # --- embeddings ---------------------------------------------------------------------
    def embed(
        self, texts: list[str], *, model: str, dimensions: int | None
    ) -> tuple[list[list[float]], int]:
        """One vector per text, in order, and the input tokens billed for them."""
        deployment = self.azure.deployment(model) if self.azure else model
        kwargs: dict[str, Any] = {"model": deployment, "input": texts}
        if dimensions:
            kwargs["dimensions"] = dimensions
        response = self._with_retries(lambda: self._sdk().embeddings.create(**kwargs))
        vectors = [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
        usage = getattr(response, "usage", None)
        return vectors, int(getattr(usage, "prompt_tokens", 0) or 0)

    def speech(self, text: str, *, model: str, voice: str) -> bytes:
        """POST /audio/speech (--speak): ``text`` as WAV; one attempt (speech is best effort)."""
        create = self._sdk().audio.speech.create
        return bytes(create(model=model, voice=voice, input=text, response_format="wav").content)

    def list_models(self) -> list[str]:
        """GET /models: the cheapest request that proves a key works (the key check)."""
        return [m.id for m in self._with_retries(lambda: self._sdk().models.list()).data]

    # --- retries and error mapping ------------------------------------------------------
    def _with_retries(self, call: Callable[[], Any], *, body: dict[str, Any] | None = None) -> Any:
        import httpx2  # a stream's own failures (llm/sse.py), as the SDK's are
        import openai

        self.retries_last_request = 0
        attempt = 0
        while True:
            try:
                return call()
            except openai.APIStatusError as exc:
                failure = self._status_failure(exc, body or {})
            except (openai.APITimeoutError, httpx2.TimeoutException):
                failure = self._failure("timeout", message=self._timeout_text(body or {}))
            except (openai.APIConnectionError, httpx2.RequestError, ssl.SSLError) as exc:
                failure = self._connection_failure(exc)
            except ResponseTooLarge as exc:  # raised while the SDK reads the body
                failure = self._failure("too_large", message=str(exc))
            except StreamCut as exc:
                failure = self._failure("connection", message=str(exc))
            except (openai.APIError, StreamError) as exc:  # an error event inside a stream
                failure = self._failure("connection", message=f"stream error: {exc.message}")
            attempt += 1
            if not self.policy.allows(attempt, failure):
                raise final_error(
                    failure, base_url=self.base_url, proxy=self.proxy_setting, attempts=attempt
                ) from None
            delay = self.policy.delay(attempt, failure)
            self.retries_last_request = attempt
            total = self.policy.retries_for(failure)
            log.warning("retry %d/%d in %.1f s: %s", attempt, total, delay, failure.describe())
            if self.on_wait:
                self.on_wait(attempt, total, delay, failure)
            time.sleep(delay)

    def _timeout_text(self, body: dict[str, Any]) -> str:
        first = f"timed out after {self.settings.openai_timeout:g} s"
        if not body.get("stream"):
            return first
        return f"{first}, or paused over {self.settings.stream_idle_timeout:g} s while streaming"

    def _failure(self, kind: str, **details: Any) -> Failure:
        """A failure of a request to the model, with where it went (and through which proxy)."""
        proxy = redact(self.proxy) if self.proxy else None
        return Failure(kind, endpoint=self.base_url, proxy=proxy, **details)

    def _connection_failure(self, exc: BaseException) -> Failure:
        """Nothing answered (refused, unknown name: ``unreachable``), the proxy refused the
        credentials (``proxy_auth``), or the connection broke (``connection``). With a proxy,
        the connection is to the proxy, so a refusal is the proxy's."""
        cause = root_cause(exc)
        if self.proxy and is_proxy_auth_refusal(exc):
            return self._failure("proxy_auth", status=407, message=cause)
        reason = unreachable_reason(exc)
        if reason:  # a ProxyError: the proxy answered, and could not reach the model itself
            return self._failure(
                "unreachable",
                message=reason,
                at_proxy=bool(self.proxy) and not is_proxy_error(exc),
            )
        return self._failure("connection", message=cause)

    def _status_failure(self, exc: Any, sent: dict[str, Any]) -> Failure:
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
        if exc.status_code in (400, 422):
            self._classify_refusal(failure, sent, inner)
        return failure

    def _classify_refusal(self, failure: Failure, sent: dict[str, Any], inner: Any) -> None:
        """Raise what a 400 means: an overflow (with the window stated, learnt once), a quirk
        to learn, or ``tools`` refused; return for any other refusal."""
        message = failure.message
        if (
            failure.code in ("context_length_exceeded", "exceed_context_size_error")
            or "maximum context length" in message
        ):
            window = stated_window(message, inner)
            model = self._model_of(str(sent.get("model", "")))
            if window and self.quirks.context_windows.get(model) != window:
                self._learn("context_window", {model: window})
                raise ContextOverflow(message, window=window)
            raise ContextOverflow(message)
        param = inner.get("param") if isinstance(inner, dict) else None
        learnt = recognise(message, param, sent)
        if learnt is not None and self.quirks.to_dict().get(learnt.name) != learnt.value:
            raise _Refused(learnt)
        if "tool" in message.lower() and (
            "tool_choice" in message or "tools" in message or "tool choice" in message
        ):
            raise ToolsRejected(message)
