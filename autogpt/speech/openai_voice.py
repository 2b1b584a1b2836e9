"""An OpenAI-compatible ``/audio/speech`` endpoint (TTS_MODEL, TTS_VOICE), reached through the
project's model client: its base URL, key, proxy settings and answer-size cap apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autogpt.speech.failure import SpeechFailed

if TYPE_CHECKING:
    from autogpt.config.settings import Settings


class OpenAIVoice:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None

    def describe(self) -> str:
        return f"{self.settings.tts_model} (voice {self.settings.tts_voice}) at /audio/speech"

    def synthesize(self, text: str) -> bytes:
        """The WAV of ``text`` as the endpoint speaks it (the text is sent as it is)."""
        from autogpt.llm.client import OpenAIModelClient  # the SDK, off the start-up path

        try:
            if self._client is None:
                self._client = OpenAIModelClient(self.settings)
            wav: bytes = self._client.speech(
                text, model=self.settings.tts_model, voice=self.settings.tts_voice
            )
        except Exception as exc:  # any failure of the endpoint: speech goes off, the run on
            raise SpeechFailed(f"the /audio/speech endpoint failed: {str(exc)[:300]}") from None
        if not wav.startswith(b"RIFF"):
            raise SpeechFailed("the /audio/speech endpoint answered with no WAV audio")
        return wav
