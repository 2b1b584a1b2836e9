"""Long-term memory for a session's agent: what it recalls into the prompt, what it remembers
of results and summaries; its embedding requests go through the request gateway."""

from __future__ import annotations

from autogpt.agent.fitting import MemoryHooks
from autogpt.agent.model_calls import ModelCalls
from autogpt.config.settings import Settings
from autogpt.llm import catalog, tokens
from autogpt.llm.prices import load_prices_file
from autogpt.resources import RunResources
from autogpt.ui.console import Console


def open_memory(
    settings: Settings,
    calls: ModelCalls,
    resources: RunResources,
    console: Console,
    *,
    wipe: bool,
) -> MemoryHooks | None:
    """Long-term memory: opened lazily (no I/O here), so it never delays the first request; a
    failing backend turns itself off with one warning."""
    if settings.memory_backend == "no_memory":
        return None
    from autogpt.memory.factory import open_memory as open_store
    from autogpt.memory.recall import recall_block

    dimensions = settings.embedding_dimensions or None
    model = catalog.lookup(
        settings.embedding_model,
        fallback_window=8191,
        overrides=load_prices_file(settings.prices_file),
    )
    if not model.priced:
        left_out = " (and the budget leaves them out)" if calls.state.costs.budget else ""
        console.warn(
            f"The price of the embedding model {model.name!r} is unknown: its requests "
            f"for long-term memory count as $0 in the costs{left_out}."
        )

    def embed_batch(texts: list[str]) -> list[list[float]]:
        return calls.embed(texts, model, dimensions)

    store = open_store(
        settings,
        embed_batch=embed_batch,
        count_tokens=tokens.TokenCounter("cl100k_base").text,
        warn=console.warn,
    )
    if wipe:
        store.clear()
        console.info("Long-term memory wiped.")
    resources.get_or_create("memory", lambda: store, lambda s: s.close())
    return MemoryHooks(
        recall=lambda query, budget, shown: recall_block(
            store,
            query,
            budget_tokens=budget,
            count_tokens=calls.counter.text,
            exclude=shown,
            min_score=0.2,
        ),
        remember=lambda text, kind: store.add(text, kind=kind),
    )
