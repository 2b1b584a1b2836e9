from __future__ import annotations

from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.speech.children import Children
from autogpt.speech.engines import choose_engine
from autogpt.speech.espeak import Espeak
from autogpt.speech.openai_voice import OpenAIVoice

WITH_ESPEAK = {"espeak-ng": "/usr/bin/espeak-ng"}.get


def nothing(name: str) -> None:
    return None


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_auto_prefers_espeak_when_it_is_installed() -> None:
    chosen = choose_engine(settings(openai_api_key="sk-x"), Children(), which=WITH_ESPEAK)
    assert isinstance(chosen, Espeak)


def test_auto_without_espeak_uses_openai_only_for_openai_itself() -> None:
    own = settings(openai_api_key="sk-x")
    assert isinstance(choose_engine(own, Children(), which=nothing), OpenAIVoice)
    local = settings(openai_api_key="sk-x", openai_api_base="http://127.0.0.1:8080/v1")
    reason = choose_engine(local, Children(), which=nothing)
    assert isinstance(reason, str) and "TTS_PROVIDER=openai" in reason
    assert isinstance(choose_engine(settings(), Children(), which=nothing), str)  # no key


@pytest.mark.parametrize(
    ("provider", "which", "expected"),
    [
        ("openai", WITH_ESPEAK, OpenAIVoice),
        ("espeak", WITH_ESPEAK, Espeak),
        ("espeak", nothing, str),
        ("none", WITH_ESPEAK, str),
    ],
)
def test_a_named_provider_is_used_or_refused(provider: str, which: object, expected: type) -> None:
    chosen = choose_engine(settings(tts_provider=provider), Children(), which=which)  # type: ignore[arg-type]
    assert isinstance(chosen, expected)
