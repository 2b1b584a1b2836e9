"""Whether the endpoint wants a key, and whether a key typed at set-up works: one quick
GET /models each, without retries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autogpt.errors import ModelRejected, ModelUnavailable
from autogpt.llm.client import OpenAIModelClient

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

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
