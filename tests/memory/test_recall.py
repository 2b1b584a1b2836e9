"""The memory block of a prompt: most relevant first, never over its token budget."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autogpt.memory.base import NoMemory
from autogpt.memory.local import LocalMemory
from autogpt.memory.recall import HEADER, recall_block
from tests.memory.conftest import RESULTS, count_tokens

MakeLocal = Callable[[], LocalMemory]


def test_the_most_relevant_memory_comes_first(make_local: MakeLocal) -> None:
    store = make_local()
    for text in RESULTS:
        store.add(text)

    block = recall_block(
        store, "How many people live in Tokyo?", budget_tokens=400, count_tokens=count_tokens
    )

    lines = block.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == f"- (result) {RESULTS[2]}"
    assert len(lines) == 5  # header + k=4


@pytest.mark.parametrize("budget", [30, 60, 120, 250, 800])
def test_the_block_never_exceeds_its_budget(make_local: MakeLocal, budget: int) -> None:
    store = make_local()
    for i, text in enumerate(RESULTS):
        store.add((text + " ") * (3 + 10 * i))  # long memories, up to ~1,000 tokens
    store.add("Weather report for Paris and Lyon: rain later in the week.\n\nWind from the west.")

    block = recall_block(store, "weather in Paris", budget_tokens=budget, count_tokens=count_tokens)

    assert count_tokens(block) <= budget
    assert block.startswith(HEADER)
    assert "Paris" in block


def test_nothing_to_recall_gives_an_empty_block(make_local: MakeLocal) -> None:
    store = make_local()

    assert recall_block(store, "weather", budget_tokens=500, count_tokens=count_tokens) == ""
    assert recall_block(NoMemory(), "weather", budget_tokens=500, count_tokens=count_tokens) == ""
    store.add(RESULTS[0])
    assert recall_block(store, "weather", budget_tokens=5, count_tokens=count_tokens) == ""


def test_low_scores_can_be_left_out(make_local: MakeLocal) -> None:
    store = make_local()
    for text in RESULTS:
        store.add(text)

    block = recall_block(
        store, "sourdough bread", budget_tokens=800, count_tokens=count_tokens, min_score=0.2
    )

    assert block.splitlines()[1:] == [f"- (result) {RESULTS[4]}"]
