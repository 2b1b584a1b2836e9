"""The one error a failed model request ends in, once retrying stops: what went wrong and the
setting to check, in one line. No openai import."""

from __future__ import annotations

from urllib.parse import urlsplit

from autogpt.config.proxy import redact
from autogpt.errors import EXIT_STOPPED, EXIT_USAGE, ModelRejected, ModelUnavailable
from autogpt.llm.retry import Failure


def final_error(
    failure: Failure, *, base_url: str, proxy: tuple[str, str] | None, attempts: int
) -> Exception:
    """The error a request ends in once retrying stops: a one-line message naming what to
    check (the key, the model name, the quota, OPENAI_API_BASE or the proxy)."""
    proxy_setting = proxy
    where = base_url
    proxy_url = proxy_setting[1] if proxy_setting else None
    via = f" through proxy {redact(proxy_url)}" if proxy_url else ""
    if failure.kind == "proxy_auth" and proxy_setting:
        return proxy_refused(*proxy_setting, base_url=base_url)
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
    if failure.status == 404 or failure.code == "model_not_found":  # llama.cpp: 400 + code
        return ModelRejected(
            f"Model not found ({failure.status or failure.code}): {failure.message} "
            "Check FAST_LLM_MODEL / SMART_LLM_MODEL in .env, or run with --gpt3only.",
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
            f"{proxy_setting[0]} ({redact(proxy_url)})"
            if proxy_setting and proxy_url
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


def proxy_refused(name: str, proxy: str, *, base_url: str) -> ModelRejected:
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
        f"The proxy at {redact(proxy)} refused {what} for the model at {base_url}. "
        f"Put the right ones in {name} ({scheme}://user:password@host:port).",
        exit_code=EXIT_USAGE,
        reason="proxy refused the credentials",
    )
