"""Which engine turns text into speech (TTS_PROVIDER).

``auto`` takes espeak-ng when it is installed (offline, free, Chinese voices), else OpenAI's
own endpoint when the model is OpenAI's (a key and no other OPENAI_API_BASE, not Azure: other
OpenAI-compatible servers rarely have ``/audio/speech``), else none.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from autogpt.speech.children import Children
from autogpt.speech.espeak import Espeak
from autogpt.speech.openai_voice import OpenAIVoice

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

OPENAI_HOST = "api.openai.com"


class Engine(Protocol):
    def describe(self) -> str: ...
    def synthesize(self, text: str) -> bytes: ...


def choose_engine(
    settings: Settings,
    children: Children,
    *,
    which: Callable[[str], str | None] = shutil.which,
) -> Engine | str:
    """The engine, or why there is none (a sentence for the warning)."""
    provider = settings.tts_provider
    if provider == "none":
        return "TTS_PROVIDER=none"
    espeak = which("espeak-ng") if provider in ("auto", "espeak") else None
    if espeak:
        return Espeak(espeak, children)
    if provider == "espeak":
        return "TTS_PROVIDER=espeak, but espeak-ng is not installed (apt-get install espeak-ng)"
    if provider == "openai" or _is_openai_itself(settings):
        return OpenAIVoice(settings)
    return (
        "no speech engine: espeak-ng is not installed (apt-get install espeak-ng) and the "
        "model endpoint is not OpenAI's (set TTS_PROVIDER=openai if it has /audio/speech)"
    )


def _is_openai_itself(settings: Settings) -> bool:
    base = settings.openai_api_base
    host = urlsplit(base).hostname if base else OPENAI_HOST
    return not settings.use_azure and settings.openai_api_key is not None and host == OPENAI_HOST
