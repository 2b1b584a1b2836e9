"""Per-image prices and the sizes each model makes."""

from __future__ import annotations

import pytest

from autogpt.llm.image_prices import fit_size, image_price, sizes


@pytest.mark.parametrize(
    ("model", "asked", "made"),
    [
        ("gpt-image-1", "1792x1024", "1536x1024"),
        ("gpt-image-1", "1024x1792", "1024x1536"),
        ("gpt-image-1-mini", "256x256", "1024x1024"),
        ("dall-e-3", "1536x1024", "1792x1024"),
        ("dall-e-2", "1792x1024", "1024x1024"),
        ("dall-e-2", "512x512", "512x512"),
        ("a-relay-model", "1792x1024", "1792x1024"),
    ],
)
def test_a_size_the_model_does_not_make_becomes_its_nearest_in_shape(
    model: str, asked: str, made: str
) -> None:
    assert fit_size(model, asked) == made


def test_prices_are_per_image_and_size_and_image_price_wins() -> None:
    assert image_price("dall-e-3", "1024x1024") == 0.04
    assert image_price("openai/dall-e-3", "1792x1024") == 0.08  # a relay's prefixed name
    assert image_price("gpt-image-1-mini", "1024x1024") == 0.011
    assert image_price("flux-schnell", "1024x1024") is None
    assert image_price("flux-schnell", "1024x1024", configured=0.003) == 0.003
    assert sizes("flux-schnell") is None
