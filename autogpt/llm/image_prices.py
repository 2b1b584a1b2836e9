"""What one image costs, and which sizes a model makes: OpenAI's list prices per image.

genai-prices has no per-image prices, so this small table holds them (US dollars, from OpenAI's
pricing page; gpt-image models at ``quality="medium"``, which is what we ask them for; their few
prompt tokens are not counted). A model the table lacks costs ``IMAGE_PRICE`` dollars per image
if that is set, else its price is unknown and its images count as $0 (said once at start-up).
Prices change: the cost line is an estimate.
"""

from __future__ import annotations

PER_IMAGE: dict[str, dict[str, float]] = {
    "dall-e-2": {"256x256": 0.016, "512x512": 0.018, "1024x1024": 0.020},
    "dall-e-3": {"1024x1024": 0.040, "1024x1792": 0.080, "1792x1024": 0.080},
    "gpt-image-1": {"1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063},
    "gpt-image-1-mini": {"1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015},
}
"""model -> size -> dollars per image (standard quality for DALL·E, medium for gpt-image)."""


def _entry(model: str) -> dict[str, float] | None:
    return PER_IMAGE.get(model.lower().split("/")[-1])


def sizes(model: str) -> tuple[str, ...] | None:
    """The sizes ``model`` makes, or None for a model the table does not know."""
    entry = _entry(model)
    return tuple(entry) if entry else None


def fit_size(model: str, size: str) -> str:
    """``size`` if the model makes it, else the size it makes that is closest in shape, then in
    area (1792x1024 asked of gpt-image-1: 1536x1024). Unknown models get ``size`` as asked."""
    made = sizes(model)
    if not made or size in made:
        return size
    width, height = _dimensions(size)

    def distance(candidate: str) -> tuple[float, float]:
        w, h = _dimensions(candidate)
        return abs(w / h - width / height), abs(w * h - width * height)

    return min(made, key=distance)


def image_price(model: str, size: str, configured: float | None = None) -> float | None:
    """Dollars for one image of ``size``; ``configured`` (IMAGE_PRICE) wins; None: unknown."""
    if configured is not None:
        return configured
    entry = _entry(model)
    return entry.get(size) if entry else None


def _dimensions(size: str) -> tuple[int, int]:
    width, _, height = size.partition("x")
    return int(width), int(height)
