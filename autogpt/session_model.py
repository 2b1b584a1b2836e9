"""The model side of a session: the API key, which models with which limits, the reply format
(tool calls or JSON), and the notice shown while a failed request waits for its retry."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from autogpt.agent.limits import Limits
from autogpt.agent.model_calls import ModelSetup
from autogpt.config.settings import Settings
from autogpt.errors import UsageError
from autogpt.llm import catalog
from autogpt.llm.client import DEFAULT_BASE, WaitCallback
from autogpt.llm.key_check import check_key, needs_key
from autogpt.llm.prices import load_prices_file
from autogpt.llm.retry import Failure
from autogpt.ui.console import Console
from autogpt.ui.setup import ask_api_key

TOOLS_MAX_SHARE = 0.2


def model_setup(settings: Settings, model_choice: str) -> tuple[ModelSetup, Limits]:
    """``smart`` (--gpt4only) runs everything on the smart model, ``fast`` on the fast one; each
    limit is the configured one, capped by the model's known context window."""
    price = (settings.model_price_input, settings.model_price_output)
    overrides = load_prices_file(settings.prices_file)
    fast = catalog.lookup(
        settings.fast_llm_model,
        fallback_window=settings.fast_token_limit,
        price=price,
        overrides=overrides,
    )
    smart = catalog.lookup(
        settings.smart_llm_model,
        fallback_window=settings.smart_token_limit,
        price=price,
        overrides=overrides,
    )
    if model_choice == "smart":
        info, limit = smart, settings.smart_token_limit
    else:
        info, limit = fast, settings.fast_token_limit
    limits = Limits.compute(
        main=info,
        main_limit=limit,
        fast=info,
        fast_limit=limit,
        memory_share=settings.memory_prompt_share if settings.memory_backend != "no_memory" else 0,
    )
    return ModelSetup(info, info, settings.temperature), limits


def choose_tool_mode(
    settings: Settings, info: catalog.ModelInfo, limit: int, *, schema_tokens: int
) -> bool:
    """``auto``: tool calls for models known to support them, unless the schemas would take
    more than a fifth of the token limit (a 4k window: the JSON format's command list is a
    third of their size)."""
    if settings.openai_functions == "true":
        return True
    if settings.openai_functions == "false":
        return False
    return info.known and info.tools and schema_tokens <= TOOLS_MAX_SHARE * limit


def ensure_api_key(settings: Settings, console: Console) -> Settings:
    """The settings with an API key: asked for on a terminal when the endpoint needs one."""
    if settings.openai_api_key is not None:
        return settings
    base = settings.openai_api_base or DEFAULT_BASE
    why = "No OPENAI_API_KEY is set."
    if base.rstrip("/") != DEFAULT_BASE:  # self-hosted endpoints often need no key: ask if so
        if not console.interactive:
            return settings
        with console.waiting(f"Asking {base} whether it needs a key..."):
            if not needs_key(settings):
                return settings
        why = f"The endpoint at {base} needs an API key (401) and no OPENAI_API_KEY is set."
    if console.interactive:
        key = ask_api_key(
            console, Path(".env"), why=why, check=lambda typed: check_key(settings, typed)
        )
        if key:
            return settings.model_copy(update={"openai_api_key": SecretStr(key)})
    raise UsageError(
        "OPENAI_API_KEY is not set. Put it in .env (copy .env.template to .env) "
        "or in the environment."
    )


def wait_notice(console: Console) -> WaitCallback:
    """The one line shown while a failed request waits for its retry."""

    def notice(attempt: int, total: int, seconds: float, failure: Failure) -> None:
        console.warn(
            f"Model request failed ({failure.describe()}), retry {attempt}/{total} in "
            f"{round(seconds, 1):g} s"
        )

    return notice
