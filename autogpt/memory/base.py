"""The long-term memory contract: what a store does, what a search returns, and the empty store.

A store keeps texts (command results, summaries) with their embeddings and returns the ones
nearest to a query. It assembles no prompt (that is ``recall.py``) and talks to no model itself:
embeddings come through the :class:`~autogpt.memory.embedder.Embedder` it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


class MemoryUnavailable(Exception):
    """A memory backend cannot work: server down, extension missing, files unreadable.

    The message is one line for the user; ``factory.py`` turns it into the single warning.
    """


@dataclass(frozen=True)
class MemoryHit:
    text: str
    score: float
    """Cosine similarity to the query, 1.0 = same direction."""
    kind: str
    metadata: dict[str, Any] = field(default_factory=dict)
    created: datetime | None = None


@runtime_checkable
class MemoryStore(Protocol):
    def add(
        self, text: str, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None: ...

    def search(self, query: str, k: int = 4) -> list[MemoryHit]: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class NoMemory:
    """``MEMORY_BACKEND=no_memory``, and what a failing backend degrades to."""

    name = "no_memory"

    def add(
        self, text: str, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        return None

    def add_many(
        self, texts: object, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        return None

    def search(self, query: str, k: int = 4) -> list[MemoryHit]:
        return []

    def count(self) -> int:
        return 0

    def clear(self) -> None:
        return None

    def close(self) -> None:
        return None
