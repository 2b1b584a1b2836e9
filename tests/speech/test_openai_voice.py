"""OpenAI's /audio/speech through the project's model client, against the test server's
stand-in for it (tests/support/audio_speech.py)."""

from __future__ import annotations

import pytest

from autogpt.config.settings import Settings
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.openai_voice import OpenAIVoice
from tests.speech.espeak_reference import is_wav
from tests.support import audio_speech
from tests.support.model_server import ModelServer
from tests.support.proxy_server import RecordingProxy

TEXT = "我正在写报告, then I finish."


def voice_for(base_url: str) -> OpenAIVoice:
    return OpenAIVoice(
        Settings(
            _env_file=None,
            openai_api_key="sk-test",
            openai_api_base=base_url,
            tts_model="tts-test",
            tts_voice="nova",
        )
    )


def test_the_text_is_sent_as_it_is_and_the_wav_comes_back(model_server: ModelServer) -> None:
    wav = voice_for(model_server.base_url).synthesize(TEXT)
    assert is_wav(wav)
    (request,) = model_server.other_requests
    assert request.path == "/v1/audio/speech"
    assert request.body["input"] == TEXT
    assert request.body["model"] == "tts-test" and request.body["voice"] == "nova"
    assert request.body["response_format"] == "wav"
    assert request.headers["authorization"] == "Bearer sk-test"


def test_an_endpoint_error_fails_once_unretried(model_server: ModelServer) -> None:
    audio_speech.fail_with(model_server, 500)
    with pytest.raises(SpeechFailed, match="endpoint failed: .*500"):
        voice_for(model_server.base_url).synthesize(TEXT)
    assert len(model_server.other_requests) == 1


def test_the_proxy_settings_apply(model_server: ModelServer, env: pytest.MonkeyPatch) -> None:
    """The host name resolves only inside the proxy: a request that bypassed it would fail."""
    with RecordingProxy(resolve={"model.test": "127.0.0.1"}) as proxy:
        env.delenv("NO_PROXY")
        env.delenv("no_proxy")
        env.setenv("HTTP_PROXY", proxy.url)
        assert is_wav(voice_for(f"http://model.test:{model_server.port}/v1").synthesize(TEXT))
    assert any("model.test" in target and "audio/speech" in target for _, target in proxy.seen)
