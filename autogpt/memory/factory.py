"""Settings → the memory store for this run; a failing backend degrades to no memory, once.

``open_memory`` does no I/O and imports no backend library: the store connects or opens its
files on first use, so memory start-up never delays the first model request. Whatever goes wrong
in a backend — at open, on add, on search — the run goes on without memory, with one warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from autogpt.errors import RunStopped
from autogpt.memory.base import MemoryHit, MemoryStore, MemoryUnavailable, NoMemory

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

EMBEDDING_CACHE = "embeddings.sqlite"


def open_memory(
    settings: Settings,
    *,
    embed_batch: Callable[[list[str]], list[list[float]]],
    count_tokens: Callable[[str], int],
    warn: Callable[[str], None],
) -> MemoryStore:
    """The store named by ``MEMORY_BACKEND``, wrapped so that a failure turns it off with one
    ``warn(line)``. ``embed_batch`` sends one embeddings request for the configured model and
    dimensions; ``count_tokens`` counts with the embedding model's tokenizer (cl100k_base)."""
    backend = settings.memory_backend
    if backend == "no_memory":
        return NoMemory()
    try:
        store = _build(settings, embed_batch=embed_batch, count_tokens=count_tokens)
    except Exception as exc:
        warn(_warning(backend, exc))
        return NoMemory()
    return GuardedMemory(store, backend=backend, warn=warn)


def _build(
    settings: Settings,
    *,
    embed_batch: Callable[[list[str]], list[list[float]]],
    count_tokens: Callable[[str], int],
) -> MemoryStore:
    from autogpt.memory.embedder import Embedder, space_name

    root = settings.data_dir / "memory"
    embedder = Embedder(
        embed_batch,
        count_tokens=count_tokens,
        model=settings.embedding_model,
        dimensions=settings.embedding_dimensions,
        cache_path=root / EMBEDDING_CACHE,
    )
    if settings.memory_backend == "local":
        from autogpt.memory.local import LocalMemory

        space = space_name(settings.embedding_model, settings.embedding_dimensions)
        return LocalMemory(root / "local" / space, embedder=embedder)
    if settings.memory_backend == "postgres":
        if settings.database_url is None:
            raise MemoryUnavailable(
                "MEMORY_BACKEND=postgres needs DATABASE_URL "
                "(postgresql://user:password@host:5432/dbname)"
            )
        from autogpt.memory.postgres import PostgresMemory

        return PostgresMemory(settings.database_url.get_secret_value(), embedder=embedder)
    raise MemoryUnavailable(f"unknown MEMORY_BACKEND {settings.memory_backend!r}")


class GuardedMemory:
    """A store that, on its first failure, warns once and behaves as ``NoMemory`` from then on."""

    def __init__(self, store: Any, *, backend: str, warn: Callable[[str], None]) -> None:
        self.store = store
        self.backend = backend
        self._warn = warn
        self.failure: str | None = None
        """The warning given when the backend failed; None while it works."""

    @property
    def name(self) -> str:
        return "no_memory" if self.failure else self.backend

    def add(
        self, text: str, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        self._call(lambda s: s.add(text, kind=kind, metadata=metadata), None)

    def add_many(
        self, texts: Sequence[str], *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        self._call(lambda s: s.add_many(texts, kind=kind, metadata=metadata), None)

    def search(self, query: str, k: int = 4) -> list[MemoryHit]:
        return self._call(lambda s: s.search(query, k), [])

    def count(self) -> int:
        return self._call(lambda s: s.count(), 0)

    def clear(self) -> None:
        self._call(lambda s: s.clear(), None)

    def close(self) -> None:
        store, self.store = self.store, NoMemory()
        try:
            store.close()
        except Exception:
            log.debug("closing the memory store failed", exc_info=True)

    def _call(self, operation: Callable[[Any], T], fallback: T) -> T:
        if self.failure is not None:
            return fallback
        try:
            return operation(self.store)
        except RunStopped:
            raise  # the budget: the run stops, not the memory
        except Exception as exc:
            self.failure = _warning(self.backend, exc)
            log.warning("memory backend %s failed", self.backend, exc_info=True)
            self.close()
            self._warn(self.failure)
            return fallback


def _warning(backend: str, exc: Exception) -> str:
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if not isinstance(exc, MemoryUnavailable):
        reason = f"{type(exc).__name__}: {reason}"
    return f"Long-term memory ({backend}) is off for the rest of this run: {reason}"
