"""The image settings (generate_image): Auto-GPT's values, the default, bad URLs."""

from __future__ import annotations

import pytest

from autogpt.config.settings import load_settings
from autogpt.errors import ConfigError


def test_image_generation_is_off_by_default() -> None:
    assert load_settings().image_provider == "none"


def test_auto_gpts_dalle_means_the_openai_images_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_PROVIDER", "DALLE")
    assert load_settings().image_provider == "openai"


def test_huggingface_says_which_providers_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_PROVIDER", "huggingface")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "IMAGE_PROVIDER='huggingface'" in info.value.message
    assert "Hugging Face's image API is not supported: use IMAGE_PROVIDER=openai" in (
        info.value.message
    )


def test_a_webui_address_without_its_scheme_shows_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SD_WEBUI_URL", "localhost:7860")
    with pytest.raises(ConfigError, match="no scheme; write SD_WEBUI_URL=http://localhost:7860"):
        load_settings()


def test_the_image_keys_are_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_API_KEY", "sk-images")
    monkeypatch.setenv("SD_WEBUI_AUTH", "me:secret")
    settings = load_settings()
    assert "sk-images" not in repr(settings) and "me:secret" not in repr(settings)
