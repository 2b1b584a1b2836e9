"""Long-term memory attached to a session's agent: what it recalls into the prompt, what it
remembers of results and summaries, and what its embedding requests cost."""

from __future__ import annotations

from autogpt.agent.cycle import Agent
from autogpt.config.settings import Settings
from autogpt.llm import catalog, tokens
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.prices import load_prices_file
from autogpt.ui.console import Console


def attach_memory(
    agent: Agent, settings: Settings, client: OpenAIModelClient, console: Console, *, wipe: bool
) -> None:
    """Long-term memory: opened lazily (no I/O here), so it never delays the first request; a
    failing backend turns itself off with one warning."""
    if settings.memory_backend == "no_memory":
        return
    from autogpt.memory.factory import open_memory
    from autogpt.memory.recall import recall_block

    dimensions = settings.embedding_dimensions or None
    model = catalog.lookup(
        settings.embedding_model,
        fallback_window=8191,
        overrides=load_prices_file(settings.prices_file),
    )
    if not model.priced:
        left_out = " (and the budget leaves them out)" if agent.state.costs.budget else ""
        console.warn(
            f"The price of the embedding model {model.name!r} is unknown: its requests "
            f"for long-term memory count as $0 in the costs{left_out}."
        )

    def embed_batch(texts: list[str]) -> list[list[float]]:
        with console.waiting("Embedding for long-term memory..."):
            vectors, used = client.embed(
                texts, model=settings.embedding_model, dimensions=dimensions
            )
        agent.account_embedding(model, used)
        return vectors

    store = open_memory(
        settings,
        embed_batch=embed_batch,
        count_tokens=tokens.TokenCounter("cl100k_base").text,
        warn=console.warn,
    )
    if wipe:
        store.clear()
        console.info("Long-term memory wiped.")
    agent.recall = lambda query, budget, shown: recall_block(
        store,
        query,
        budget_tokens=budget,
        count_tokens=agent.counter.text,
        exclude=shown,
        min_score=0.2,
    )
    agent.remember = lambda text, kind: store.add(text, kind=kind)
    agent.memory_share = settings.memory_prompt_share
    agent.ctx.resources.get_or_create("memory", lambda: store, lambda s: s.close())
