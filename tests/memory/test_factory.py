"""open_memory: the configured backend, opened lazily; any failure → no memory, one warning."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from autogpt.memory.base import NoMemory
from autogpt.memory.factory import open_memory
from tests.memory.conftest import EmbedBatch, count_tokens, openai_embed_batch, settings_for
from tests.support.model_server import ModelServer

REPO = Path(__file__).resolve().parents[2]


def test_no_memory_backend_stores_nothing(tmp_path: Path, embed_batch: EmbedBatch) -> None:
    warnings: list[str] = []
    store = open_memory(
        settings_for(tmp_path, memory_backend="no_memory"),
        embed_batch=embed_batch,
        count_tokens=count_tokens,
        warn=warnings.append,
    )

    store.add("something")

    assert isinstance(store, NoMemory)
    assert store.search("something") == []
    assert warnings == []
    assert not (tmp_path / "data").exists()


def test_local_backend_lives_under_the_data_dir(tmp_path: Path, embed_batch: EmbedBatch) -> None:
    warnings: list[str] = []
    store = open_memory(
        settings_for(tmp_path, memory_backend="local"),
        embed_batch=embed_batch,
        count_tokens=count_tokens,
        warn=warnings.append,
    )
    assert not (tmp_path / "data").exists()  # nothing opened before first use

    store.add("The garden needs water every morning in July.", kind="summary")
    hits = store.search("when to water the garden")
    store.close()

    assert hits[0].kind == "summary"
    assert warnings == []
    space = tmp_path / "data" / "memory" / "local" / "text-embedding-3-small-512"
    assert (space / "vectors.f32").stat().st_size == 4 * 512
    assert (tmp_path / "data" / "memory" / "embeddings.sqlite").exists()


def test_postgres_without_database_url_warns_once_and_goes_on(
    tmp_path: Path, embed_batch: EmbedBatch
) -> None:
    warnings: list[str] = []
    store = open_memory(
        settings_for(tmp_path, memory_backend="postgres", database_url=""),
        embed_batch=embed_batch,
        count_tokens=count_tokens,
        warn=warnings.append,
    )

    store.add("x")

    assert isinstance(store, NoMemory)
    assert len(warnings) == 1
    assert "DATABASE_URL" in warnings[0]


def test_a_failing_embedding_endpoint_turns_memory_off_with_one_warning(tmp_path: Path) -> None:
    """The endpoint refuses the key (401): memory goes off, the run goes on."""
    with ModelServer(api_key="sk-right") as server:
        batch, close = openai_embed_batch(server, api_key="sk-wrong")
        warnings: list[str] = []
        store = open_memory(
            settings_for(tmp_path, memory_backend="local"),
            embed_batch=batch,
            count_tokens=count_tokens,
            warn=warnings.append,
        )

        store.add("first result")
        store.add("second result")
        hits = store.search("result")
        store.close()
        close()

        assert hits == []
        assert store.count() == 0
        assert len(warnings) == 1
        assert warnings[0].startswith("Long-term memory (local) is off for the rest of this run")
        assert "AuthenticationError" in warnings[0]
        assert len(server.embedding_requests) == 1


def test_opening_memory_imports_nothing_heavy(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from autogpt.config.settings import Settings
        from autogpt.memory.factory import open_memory
        for backend in ("local", "postgres"):
            store = open_memory(
                Settings(_env_file=None, autogpt_data_dir={str(tmp_path / "data")!r},
                         memory_backend=backend, database_url="postgresql://u@127.0.0.1:1/db"),
                embed_batch=None, count_tokens=len, warn=print)
        heavy = {{"numpy", "psycopg", "pgvector", "openai"}}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "data").exists()
