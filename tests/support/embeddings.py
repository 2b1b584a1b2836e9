"""Deterministic embeddings for the test model server: a hashed bag of words.

Each text is split into lower-cased word tokens, with every CJK character a token of its own (so
Chinese text shares tokens with Chinese text); each token adds ±1 to one of ``dimensions``
buckets chosen by a stable hash, and the vector is L2-normalised. Texts that share words have a
clearly positive cosine similarity; unrelated texts are near 0. Token-id inputs hash the ids.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from dataclasses import dataclass
from typing import Any

from tests.support.token_count import count_text

MAX_INPUT_TOKENS = 8191
EMBEDDING_CONTEXT = 8192
DEFAULT_DIMENSIONS = 1536
LARGE_MODEL_DIMENSIONS = 3072

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


def default_dimensions(model: str) -> int:
    return LARGE_MODEL_DIMENSIONS if model.endswith("-large") else DEFAULT_DIMENSIONS


def tokens(item: str | list[int]) -> list[str]:
    """The bag-of-words tokens of one input item."""
    if isinstance(item, list):
        return [f"#{token_id}" for token_id in item]
    return _TOKEN.findall(item.lower()) or ["<empty>"]


def embed(item: str | list[int], dimensions: int) -> list[float]:
    vector = [0.0] * dimensions
    for token in tokens(item):
        digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
        number = int.from_bytes(digest, "little")
        vector[(number >> 1) % dimensions] += 1.0 if number & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def encode_base64(vector: list[float]) -> str:
    """OpenAI's ``encoding_format: "base64"``: little-endian float32, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def input_items(value: Any) -> list[str | list[int]] | None:
    """The request's ``input`` as a list of items, or None when its shape is invalid."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(x, int) for x in value):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(x, str) for x in value):
            return list(value)
        if all(isinstance(x, list) and all(isinstance(i, int) for i in x) for x in value):
            return list(value)
    return None


def item_tokens(item: str | list[int], model: str) -> int:
    return len(item) if isinstance(item, list) else count_text(item, model)


def too_long_message(requested: int) -> str:
    return (
        f"This model's maximum context length is {EMBEDDING_CONTEXT} tokens, however you "
        f"requested {requested} tokens ({requested} in your prompt; 0 for the completion). "
        "Please reduce your prompt; or completion length."
    )


@dataclass(frozen=True)
class EmbeddingAnswer:
    """What ``POST /v1/embeddings`` answers: a 200 ``body``, or a 400 ``refusal`` message."""

    body: dict[str, Any] | None = None
    refusal: str | None = None
    client_bug: bool = False
    """The refusal is for a malformed request (the test should fail), not for a too-long input."""
    prompt_tokens: int | None = None


def answer(body: Any) -> EmbeddingAnswer:
    """The answer to an embeddings request body, as OpenAI would give it."""
    body = body if isinstance(body, dict) else {}
    model = str(body.get("model") or "text-embedding-ada-002")
    items = input_items(body.get("input"))
    dimensions = body.get("dimensions") or default_dimensions(model)
    encoding_format = body.get("encoding_format") or "float"
    if items is None:
        return EmbeddingAnswer(
            refusal="'$.input' is invalid. Please check the API reference.", client_bug=True
        )
    if not isinstance(dimensions, int) or dimensions < 1:
        return EmbeddingAnswer(
            refusal=f"Invalid 'dimensions': got {dimensions!r}.", client_bug=True
        )
    if encoding_format not in ("float", "base64"):
        return EmbeddingAnswer(
            refusal=f"Invalid 'encoding_format': got {encoding_format!r}.", client_bug=True
        )
    counts = [item_tokens(item, model) for item in items]
    if max(counts) > MAX_INPUT_TOKENS:
        return EmbeddingAnswer(refusal=too_long_message(max(counts)), prompt_tokens=sum(counts))
    data = []
    for index, item in enumerate(items):
        vector: Any = embed(item, dimensions)
        if encoding_format == "base64":
            vector = encode_base64(vector)
        data.append({"object": "embedding", "index": index, "embedding": vector})
    usage = {"prompt_tokens": sum(counts), "total_tokens": sum(counts)}
    reply = {"object": "list", "data": data, "model": model, "usage": usage}
    return EmbeddingAnswer(body=reply, prompt_tokens=sum(counts))
