"""generate_image: a picture from a text prompt, saved as a PNG file in the workspace.

Offered only when IMAGE_PROVIDER is ``openai`` or ``sdwebui``; the request, its retries and its
price go through ``ctx.make_image`` (``session_images.py``). The file's name is made from the
prompt (letters, digits and dashes, at most ``MAX_NAME_CHARS``, a number added when taken), so
no prompt can name a path: ``../../etc/x`` becomes ``etc-x.png`` in the workspace.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.errors import CommandError


def _written_as_sizes(value: object) -> object:
    """Auto-GPT's ``size=512`` is 512x512; ``1024*1024`` or ``1024 X 1024`` is 1024x1024."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value}x{value}"
    if isinstance(value, str):
        text = re.sub(r"\s*[x×*]\s*", "x", value.strip().lower())
        return f"{text}x{text}" if text.isdigit() else text
    return value


Size = Annotated[
    Literal["256x256", "512x512", "1024x1024", "1024x1536", "1536x1024", "1024x1792", "1792x1024"],
    BeforeValidator(_written_as_sizes),
]
"""Width x height; a model that does not make a size gets its nearest in shape."""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_NAME_CHARS = 48
MAX_PROMPT_CHARS = 4000
_NOT_WORD = re.compile(r"[^\w]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))}
_RESERVED |= {f"lpt{i}" for i in range(10)}


def _images_on(ctx: CommandContext) -> str | None:
    if ctx.settings.image_provider != "none":
        return None
    return "image generation is off; the user can set IMAGE_PROVIDER=openai or sdwebui"


@command(available=_images_on)
def generate_image(
    ctx: CommandContext,
    prompt: Annotated[str, Field(description="what the picture shows, in any language")],
    size: Size = "1024x1024",
) -> str:
    """Generate an image from a text prompt and save it as a PNG file in the workspace."""
    text = " ".join(prompt.split())
    if not text:
        raise CommandError("generate_image: the prompt is empty; describe the picture")
    if len(text) > MAX_PROMPT_CHARS:
        raise CommandError(
            f"generate_image: the prompt has {len(text)} characters; at most {MAX_PROMPT_CHARS}"
        )
    if ctx.make_image is None:
        raise CommandError("generate_image: image generation is not set up in this run")
    image = ctx.make_image(text, size)
    if not image.data.startswith(PNG_MAGIC):
        raise CommandError(
            f"generate_image: the image service sent {len(image.data)} bytes that are not a "
            f"PNG image (they begin {image.data[:8]!r}); nothing was saved"
        )
    name = _save(ctx, text, image.data)
    made = _png_size(image.data) or image.size
    cost = f"${image.cost:.3f}" if image.cost is not None else "price unknown"
    result = (
        f"Image saved to {name} ({made} PNG, {len(image.data):,} bytes; made by {image.model}"
        f"{'' if made == size else f', asked for {size}'}; cost {cost})."
    )
    if image.revised_prompt:
        shown = " ".join(image.revised_prompt.split())[:300]
        result += f"\nThe service revised the prompt to: {shown!r}"
    return result


def file_name(prompt: str) -> str:
    """A file name stem from the prompt: word characters (any script) joined by dashes, lower
    case, no dots or separators, at most MAX_NAME_CHARS; "image" when nothing is left."""
    folded = unicodedata.normalize("NFKC", prompt).lower()
    slug = _NOT_WORD.sub("-", folded).replace("_", "-").strip("-")
    slug = re.sub("-{2,}", "-", slug)[:MAX_NAME_CHARS].rstrip("-")
    if not slug:
        return "image"
    return f"image-{slug}" if slug in _RESERVED else slug


def _save(ctx: CommandContext, prompt: str, data: bytes) -> str:
    stem = file_name(prompt)
    for number in range(1, 1000):
        name = f"{stem}.png" if number == 1 else f"{stem}-{number}.png"
        try:
            path = ctx.workspace.create_file(name, data)
        except FileExistsError:
            continue
        return ctx.workspace.relative(path)
    raise CommandError(f"generate_image: {stem}-*.png are all taken; delete some first")


def _png_size(data: bytes) -> str | None:
    """``WxH`` from the PNG's header chunk (IHDR)."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return f"{int.from_bytes(data[16:20], 'big')}x{int.from_bytes(data[20:24], 'big')}"
