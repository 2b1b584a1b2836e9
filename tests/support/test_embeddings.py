"""Embeddings and the model list of the model server, through the real ``openai`` client."""

from __future__ import annotations

import base64
import json
import math
import struct

import openai
import pytest

from tests.support.client_calls import error_body, post_raw, tokens
from tests.support.model_server import ModelServer


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_of_texts_sharing_words_are_closer(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    texts = [
        "The cat sat on the mat",
        "A cat lay on a mat",
        "Quarterly revenue grew strongly",
        "我喜欢我的猫",
        "猫在睡觉",
        "明天天气预报",
    ]
    result = client.embeddings.create(model="text-embedding-ada-002", input=texts)
    v = [item.embedding for item in result.data]

    assert all(len(vector) == 1536 for vector in v)
    assert all(math.isclose(cosine(vector, vector), 1.0, rel_tol=1e-6) for vector in v)
    assert cosine(v[0], v[1]) > 0.3 > abs(cosine(v[0], v[2]))
    assert cosine(v[3], v[4]) > abs(cosine(v[3], v[5]))
    assert result.usage.prompt_tokens == sum(tokens(text) for text in texts)
    assert model_server.embedding_requests[0].body["input"] == texts
    assert model_server.requests == []


def test_embeddings_honour_dimensions_and_both_encodings(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    as_float = client.embeddings.create(
        model="text-embedding-3-small", input="memory", dimensions=64, encoding_format="float"
    )
    decoded_by_openai = client.embeddings.create(  # openai asks for base64 by default
        model="text-embedding-3-small", input="memory", dimensions=64
    )
    raw = json.loads(
        post_raw(
            f"{model_server.base_url}/embeddings",
            {"model": "m", "input": "memory", "dimensions": 64, "encoding_format": "base64"},
        )
    )

    assert model_server.embedding_requests[1].body["encoding_format"] == "base64"
    packed = base64.b64decode(raw["data"][0]["embedding"])
    assert struct.unpack("<64f", packed) == pytest.approx(as_float.data[0].embedding)
    assert decoded_by_openai.data[0].embedding == pytest.approx(as_float.data[0].embedding)
    assert len(as_float.data[0].embedding) == 64


def test_embeddings_accept_token_id_lists(model_server: ModelServer, client: openai.OpenAI) -> None:
    result = client.embeddings.create(model="text-embedding-ada-002", input=[[1, 2, 3], [4, 5]])

    assert len(result.data) == 2 and result.usage.prompt_tokens == 5


def test_embedding_input_over_8191_tokens_is_refused(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    text = "token " * 9000
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="text-embedding-ada-002", input=["short", text])

    assert error_body(caught.value)["message"].startswith(
        f"This model's maximum context length is 8192 tokens, however you requested "
        f"{tokens(text)} tokens ({tokens(text)} in your prompt; 0 for the completion)."
    )


def test_models_are_listed(model_server: ModelServer, client: openai.OpenAI) -> None:
    names = [model.id for model in client.models.list()]

    assert "gpt-3.5-turbo" in names and "text-embedding-ada-002" in names
    assert client.models.retrieve("gpt-4").id == "gpt-4"
