"""Fixtures for memory tests: the local model server's embeddings through the real openai client,
a token counter with the embedding model's tokenizer, and stores built on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.memory.embedder import Embedder
from autogpt.memory.local import LocalMemory
from tests.support.model_server import ModelServer
from tests.support.token_count import count_text

MODEL = "text-embedding-3-small"
EmbedBatch = Callable[[list[str]], list[list[float]]]
DIMS = 512


def count_tokens(text: str) -> int:
    return count_text(text, MODEL)


@pytest.fixture
def embedding_server() -> Iterator[ModelServer]:
    """The test model server for embeddings only (proxies are cleared by the autouse ``env``)."""
    with ModelServer() as server:
        yield server
        server.assert_complete()


def openai_embed_batch(
    server: ModelServer, *, api_key: str = "sk-test", dimensions: int = DIMS
) -> tuple[Callable[[list[str]], list[list[float]]], Callable[[], None]]:
    """What the lead's ModelClient.embed does, through the real openai client: one request per
    call. Returns the callable and a closer."""
    import openai

    client = openai.OpenAI(base_url=server.base_url, api_key=api_key, max_retries=0, timeout=10)

    def embed_batch(texts: list[str]) -> list[list[float]]:
        response = client.embeddings.create(model=MODEL, input=texts, dimensions=dimensions)
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]

    return embed_batch, client.close


@pytest.fixture
def embed_batch(embedding_server: ModelServer) -> Iterator[EmbedBatch]:
    batch, close = openai_embed_batch(embedding_server)
    yield batch
    close()


@pytest.fixture
def make_embedder(embed_batch: EmbedBatch, tmp_path: Path) -> Iterator[Callable[[], Embedder]]:
    made: list[Embedder] = []

    def make() -> Embedder:
        embedder = Embedder(
            embed_batch,
            count_tokens=count_tokens,
            model=MODEL,
            dimensions=DIMS,
            cache_path=tmp_path / "data" / "memory" / "embeddings.sqlite",
        )
        made.append(embedder)
        return embedder

    yield make
    for embedder in made:
        embedder.close()


@pytest.fixture
def make_local(
    make_embedder: Callable[[], Embedder], tmp_path: Path
) -> Iterator[Callable[[], LocalMemory]]:
    """A new LocalMemory over the same folder each call, as a new run would open it."""
    made: list[LocalMemory] = []

    def make() -> LocalMemory:
        folder = tmp_path / "data" / "memory" / "local" / "space"
        store = LocalMemory(folder, embedder=make_embedder())
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def settings_for(tmp_path: Path, **values: Any) -> Settings:
    return Settings(
        _env_file=None,
        autogpt_data_dir=str(tmp_path / "data"),
        embedding_model=MODEL,
        embedding_dimensions=DIMS,
        **values,
    )


RESULTS = [
    "The weather in Paris today is sunny with a high of 24 degrees and light wind.",
    "Wrote the file fibonacci.py containing a recursive fibonacci function in Python.",
    "Search results: the population of Tokyo is about 14 million people in the city proper.",
    "The stock price of ACME Corporation fell five percent after its quarterly earnings report.",
    "Recipe notes: bake the sourdough bread at 230 degrees for 40 minutes with steam.",
]
