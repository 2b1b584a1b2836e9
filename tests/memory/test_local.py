"""The local store: relevant recall, kept across runs, appended (never rewritten), wiped on demand.

Embeddings come from the local OpenAI-compatible test server through the real openai client.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from autogpt.memory.local import DATABASE, VECTORS, LocalMemory
from tests.memory.conftest import DIMS, RESULTS

MakeLocal = Callable[[], LocalMemory]


def test_related_query_brings_back_the_matching_result(make_local: MakeLocal) -> None:
    store = make_local()
    for text in RESULTS:
        store.add(text, kind="result", metadata={"command": "web_search"})

    hits = store.search("what is the weather like in Paris", k=3)

    assert hits[0].text == RESULTS[0]
    assert hits[0].kind == "result"
    assert hits[0].metadata == {"command": "web_search"}
    assert hits[0].created is not None
    assert hits[0].score > hits[1].score


def test_memories_survive_a_restart(make_local: MakeLocal) -> None:
    first_run = make_local()
    for text in RESULTS:
        first_run.add(text)
    first_run.close()

    second_run = make_local()

    assert second_run.count() == len(RESULTS)
    assert second_run.search("sourdough bread recipe", k=1)[0].text == RESULTS[4]
    second_run.add("Tokyo has a large subway network with many lines.")
    assert second_run.count() == len(RESULTS) + 1


def test_add_appends_one_row_and_rewrites_nothing(make_local: MakeLocal) -> None:
    store = make_local()
    for text in RESULTS:
        store.add(text)
    vectors = store.directory / VECTORS
    before = vectors.read_bytes()
    inode = vectors.stat().st_ino
    db_inode = (store.directory / DATABASE).stat().st_ino
    folder_before = _folder_size(store)

    text = "Read the file notes.txt: it lists three todo items about the garden."
    store.add(text)

    after = vectors.read_bytes()
    assert len(after) == len(before) + 4 * DIMS  # exactly one float32 row
    assert after[: len(before)] == before  # earlier rows untouched
    assert vectors.stat().st_ino == inode
    assert (store.directory / DATABASE).stat().st_ino == db_inode
    # the vector row, the text, and at most a new SQLite page for the table and for the index
    assert _folder_size(store) - folder_before <= 4 * DIMS + len(text) + 2 * 4096


def test_the_same_result_is_stored_once(make_local: MakeLocal) -> None:
    store = make_local()
    store.add(RESULTS[0])
    store.add(RESULTS[0])
    store.add(RESULTS[0], kind="summary")

    assert store.count() == 2


def test_wipe_forgets_everything(make_local: MakeLocal) -> None:
    store = make_local()
    for text in RESULTS:
        store.add(text)

    store.wipe()

    assert store.count() == 0
    assert store.search("weather in Paris") == []
    store.add(RESULTS[1])
    assert make_local().count() == 1


def test_a_torn_vector_row_is_cut_off_on_open(make_local: MakeLocal) -> None:
    """A crash between writing the vector and committing its row leaves an orphan row."""
    store = make_local()
    for text in RESULTS[:3]:
        store.add(text)
    store.close()
    with open(store.directory / VECTORS, "ab") as handle:
        handle.write(b"\x00" * (4 * DIMS + 100))

    reopened = make_local()

    assert reopened.count() == 3
    reopened.add(RESULTS[3])
    assert (store.directory / VECTORS).stat().st_size == 4 * 4 * DIMS
    assert reopened.search("ACME stock price earnings", k=1)[0].text == RESULTS[3]


def test_an_empty_store_searches_without_an_embedding_request(make_local: MakeLocal) -> None:
    store = make_local()

    assert store.search("anything at all") == []
    assert store.embedder.requests == 0


def _folder_size(store: LocalMemory) -> int:
    return sum(os.path.getsize(p) for p in store.directory.iterdir() if p.is_file())
