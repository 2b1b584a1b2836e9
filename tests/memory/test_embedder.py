"""Embeddings: cached by content, batched, and long inputs split below the model's limit.

Requests go to the local OpenAI-compatible test server through the real openai client; the server
refuses an input over 8,191 tokens as OpenAI does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from autogpt.memory.embedder import MAX_BATCH_ITEMS, Embedder, split_to_limit
from tests.memory.conftest import DIMS, count_tokens
from tests.support.embeddings import MAX_INPUT_TOKENS
from tests.support.model_server import ModelServer

MakeEmbedder = Callable[[], Embedder]


def test_the_same_text_is_embedded_once_across_runs(
    make_embedder: MakeEmbedder, embedding_server: ModelServer
) -> None:
    first = make_embedder()
    vector = first.embed_one("The weather in Paris is sunny.")
    first.embed(["The weather in Paris is sunny.", "The weather in Paris is sunny."])
    first.close()

    again = make_embedder().embed_one("The weather in Paris is sunny.")

    assert len(embedding_server.embedding_requests) == 1
    assert np.allclose(vector, again)
    assert vector.shape == (DIMS,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_only_uncached_texts_are_requested_and_order_is_kept(
    make_embedder: MakeEmbedder, embedding_server: ModelServer
) -> None:
    embedder = make_embedder()
    a = embedder.embed_one("alpha bravo charlie")

    both = embedder.embed(["delta echo foxtrot", "alpha bravo charlie"])

    assert [r.body["input"] for r in embedding_server.embedding_requests] == [
        ["alpha bravo charlie"],
        ["delta echo foxtrot"],
    ]
    assert np.allclose(both[1], a)
    assert embedding_server.embedding_requests[0].body["dimensions"] == DIMS


def test_many_texts_go_out_in_few_requests(
    make_embedder: MakeEmbedder, embedding_server: ModelServer
) -> None:
    texts = [f"result number {i} of the search" for i in range(MAX_BATCH_ITEMS + 10)]

    vectors = make_embedder().embed(texts)

    assert vectors.shape == (len(texts), DIMS)
    assert [len(r.body["input"]) for r in embedding_server.embedding_requests] == [
        MAX_BATCH_ITEMS,
        10,
    ]


def test_an_input_over_the_model_limit_is_split_and_averaged(
    make_embedder: MakeEmbedder, embedding_server: ModelServer
) -> None:
    """Auto-GPT crashed here: the server rejects any item over 8,191 tokens."""
    words = [f"w{i % 9000}" for i in range(20_000)]
    long_text = "The garden journal. " + " ".join(words)
    assert count_tokens(long_text) > 2 * MAX_INPUT_TOKENS

    vector = make_embedder().embed_one(long_text)

    sent = [item for r in embedding_server.embedding_requests for item in r.body["input"]]
    assert len(sent) >= 3
    assert all(count_tokens(item) <= MAX_INPUT_TOKENS for item in sent)
    assert "".join(sent) == long_text
    assert all(r.answered_by == "embeddings" for r in embedding_server.embedding_requests)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_split_cuts_at_whitespace_and_keeps_every_character() -> None:
    text = ("line of words here\n" * 400) + "x" * 3000  # the tail has no whitespace at all

    pieces = split_to_limit(text, count_tokens, 500)

    assert "".join(pieces) == text
    assert all(count_tokens(piece) <= 500 for piece in pieces)
    assert all(piece.endswith(("\n", " ")) for piece in pieces[:5])


def test_a_short_text_is_one_piece() -> None:
    assert split_to_limit("hello world", count_tokens, 10) == ["hello world"]


def test_an_unreadable_cache_costs_requests_not_memory(
    make_embedder: MakeEmbedder, embedding_server: ModelServer, tmp_path: Path
) -> None:
    cache = tmp_path / "data" / "memory" / "embeddings.sqlite"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is not a database" * 100)
    embedder = make_embedder()

    first = embedder.embed_one("the garden needs water")
    second = embedder.embed_one("the garden needs water")

    assert np.allclose(first, second)
    assert len(embedding_server.embedding_requests) == 2


def test_the_cache_keeps_only_the_newest_entries(
    make_embedder: MakeEmbedder, embedding_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from autogpt.memory import embedder as module

    monkeypatch.setattr(module, "CACHE_MAX_ENTRIES", 3)
    embedder = make_embedder()
    for i in range(5):
        embedder.embed_one(f"note number {i}")
    path = embedder._cache_path
    assert path is not None
    embedder.close()

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 3
    again = make_embedder()
    again.embed_one("note number 4")  # still cached
    again.embed_one("note number 0")  # dropped: asked again
    assert [r.body["input"] for r in embedding_server.embedding_requests][-1] == ["note number 0"]
    assert len(embedding_server.embedding_requests) == 6
