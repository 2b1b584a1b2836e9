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

import contextlib
import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from autogpt.config.azure import azure_setup
from autogpt.config.proxy import proxy_setting, redact
from autogpt.config.settings import Settings
from autogpt.errors import ConfigError, ModelRejected, ModelUnavailable
from autogpt.llm.catalog import is_reasoning_model
from autogpt.llm.failures import final_error
from autogpt.llm.quirks import Learnt, Quirks, build_body, recognise, stated_window
from autogpt.llm.response_cap import ResponseTooLarge, capped_transport
from autogpt.llm.retry import Failure, RetryPolicy, parse_retry_after, unreachable_reason
from autogpt.llm.tool_choice import AUTO, with_auto_fallback
from autogpt.llm.types import ChatReply, ChatRequest, ToolCall, Usage

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
                "http_client": _http_client(openai.DefaultHttpxClient, self.proxy),
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
            )
            if logged:
                wire_log.debug(json.dumps({"request": body, "purpose": request.purpose}))
            try:
                response = self._with_retries(
                    functools.partial(
                        with_auto_fallback, self._post_chat, body, lambda: self._learn(*AUTO)
                    ),
                    body=body,
                )
                break
            except _Refused as refused:
                self._learn(refused.learnt.name, refused.learnt.value)
        if logged:
            wire_log.debug(response.model_dump_json())
        return _to_reply(response)

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
        deployment = self.azure.deployment(model) if self.azure else model
        kwargs: dict[str, Any] = {"model": deployment, "input": texts}
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
    def _with_retries(self, call: Callable[[], Any], *, body: dict[str, Any] | None = None) -> Any:
        import openai

        self.retries_last_request = 0
        attempt = 0
        while True:
            try:
                return call()
            except openai.APIStatusError as exc:
                failure = self._status_failure(exc, body or {})
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
                raise final_error(
                    failure, base_url=self.base_url, proxy=self.proxy_setting, attempts=attempt
                ) from None
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
    details = getattr(usage, "prompt_tokens_details", None)
    reasoning = getattr(message, "reasoning_content", None)
    return ChatReply(
        text=getattr(message, "content", None),
        tool_calls=calls,
        usage=Usage(
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
        ),
        finish_reason=choice.finish_reason if choice else None,
        model=response.model or "",
        reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
    )
