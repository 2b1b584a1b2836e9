"""Image generation for a session (IMAGE_PROVIDER): the start-up line, the price warning, and
the door ``generate_image`` goes through (``ctx.make_image``): the budget check before the
request, the request through the gateway's accounting, a failure as text for the model."""

from __future__ import annotations

from collections.abc import Callable

from autogpt.agent.model_calls import ModelCalls
from autogpt.commands.context import MadeImage, MakeImage
from autogpt.config.settings import Settings
from autogpt.errors import CommandError
from autogpt.llm.image_prices import fit_size
from autogpt.llm.images import ImageFailed, ImageWait, image_service
from autogpt.ui.console import Console


def open_images(
    settings: Settings,
    calls: ModelCalls,
    console: Console,
    *,
    said: Callable[[str], None] | None = None,
) -> MakeImage | None:
    """The door, or None with IMAGE_PROVIDER=none (then generate_image is not offered); the
    start-up line goes to ``said`` (the start-up screen) or at once."""
    service = image_service(settings, on_wait=_wait_notice(console))
    if service is None:
        return None
    price = service.price("1024x1024")
    shown = f"${price:.3f} per 1024x1024 image" if price else "$0 per image"
    shown = "price unknown" if price is None else shown
    (said or console.info)(f"Image generation: on ({service.describe()}; {shown})")
    if price is None:
        left_out = " (and the budget leaves them out)" if calls.state.costs.budget else ""
        console.warn(
            f"The price of the image model {service.model!r} is unknown: its images count as "
            f"$0 in the costs{left_out}. Set IMAGE_PRICE (dollars per image) to count them."
        )

    def make_image(prompt: str, size: str) -> MadeImage:
        dollars = service.price(size)
        costs = calls.state.costs
        if dollars and costs.would_exceed(dollars):
            raise CommandError(
                f"generate_image: an image costs ${dollars:.3f}, more than is left of the "
                f"budget (${costs.total:.4f} of ${costs.budget:.2f} spent); no image was made. "
                "Go on without images."
            )
        made = fit_size(service.model, size)
        try:
            image = calls.image(
                lambda: service.generate(prompt, size),
                model=service.model,
                size=made,
                dollars=dollars or 0.0,
            )
        except ImageFailed as exc:
            raise CommandError(f"generate_image: {exc}") from None
        return MadeImage(image.data, image.model, image.size, dollars, image.revised_prompt)

    return make_image


def _wait_notice(console: Console) -> ImageWait:
    def notice(attempt: int, total: int, seconds: float, what: str) -> None:
        console.warn(
            f"Image request failed ({what}), retry {attempt}/{total} in {round(seconds, 1):g} s"
        )

    return notice
