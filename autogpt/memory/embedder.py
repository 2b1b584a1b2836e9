"""Texts → unit vectors: batched requests, a persistent cache, inputs split to the model's limit.

* **Batching**: the texts of one call that are not cached go out in as few requests as the
  endpoint allows (at most ``MAX_BATCH_ITEMS`` inputs and ``MAX_BATCH_TOKENS`` tokens each).
* **Cache**: ``sha256(model, dimensions, text)`` → float32 vector, in SQLite under the data dir,
  so the same text is never embedded twice, across runs too; the newest ``CACHE_MAX_ENTRIES``
  are kept (the memories themselves keep their own vectors).
* **Long inputs** (Auto-GPT crashed on them): a text over ``CHUNK_TOKENS`` is cut at whitespace
  into pieces that each fit, the pieces are embedded, and their vectors are averaged, weighted by
  tokens, then normalised (the OpenAI cookbook's "embedding long inputs"). One memory stays one
  record; its vector is the mean direction of the whole text.

Vectors come back L2-normalised float32, so a dot product is the cosine similarity. numpy and
sqlite3 are imported on first use only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autogpt.memory.base import MemoryUnavailable

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_INPUT_LIMIT = 8191
"""Tokens per input item for text-embedding-ada-002 and text-embedding-3-*."""
CHUNK_TOKENS = 7500
"""Pieces are cut below the limit, leaving room for a tokenizer that counts a little differently."""
MAX_BATCH_ITEMS = 256
MAX_BATCH_TOKENS = 250_000
"""OpenAI takes up to 2,048 inputs and 300,000 tokens per request; stay well inside both."""

CACHE_MAX_ENTRIES = 20_000
"""About 40 MB at 512 dimensions; older entries are dropped, oldest first."""

EmbedBatch = Callable[[list[str]], list[list[float]]]
CountTokens = Callable[[str], int]


class Embedder:
    def __init__(
        self,
        embed_batch: EmbedBatch,
        *,
        count_tokens: CountTokens,
        model: str,
        dimensions: int,
        cache_path: Path | None,
        chunk_tokens: int = CHUNK_TOKENS,
    ) -> None:
        self._embed_batch = embed_batch
        self._count = count_tokens
        self.model = model
        self.dimensions = dimensions
        self.chunk_tokens = chunk_tokens
        self._cache_path = cache_path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self.requests = 0
        """Embedding requests sent by this embedder (for tests and --debug)."""

    # --- public -------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, d) float32 array of unit vectors, one row per text, in order."""
        import numpy as np

        if any(not text.strip() for text in texts):
            raise ValueError("cannot embed an empty text")
        with self._lock:
            keys = [self._key(text) for text in texts]
            found = self._cached(lambda: self._cache_get(set(keys)), {})
            missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
            if missing:
                fresh = self._embed_uncached(list(missing.values()))
                new = dict(zip(missing, fresh, strict=True))
                self._cached(lambda: self._cache_put(new), None)
                found.update(new)
        if not texts:
            return np.zeros((0, max(self.dimensions, 1)), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def embed_one(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.embed([text])[0]
        return vector

    def close(self) -> None:
        with self._lock:
            self.close_cache()

    def close_cache(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- splitting and batching ---------------------------------------------------------
    def _embed_uncached(self, texts: list[str]) -> list[np.ndarray]:
        import numpy as np

        pieces: list[tuple[int, str, int]] = []  # (text index, piece, tokens)
        for index, text in enumerate(texts):
            for piece in split_to_limit(text, self._count, self.chunk_tokens):
                pieces.append((index, piece, max(1, self._count(piece))))
        vectors = self._request_all([(piece, tokens) for _, piece, tokens in pieces])
        sums: list[np.ndarray | None] = [None] * len(texts)
        for (index, _, tokens), vector in zip(pieces, vectors, strict=True):
            weighted = vector * tokens
            previous = sums[index]
            sums[index] = weighted if previous is None else previous + weighted
        return [_unit(np.asarray(total, dtype=np.float32)) for total in sums]

    def _request_all(self, pieces: list[tuple[str, int]]) -> list[np.ndarray]:
        import numpy as np

        out: list[list[float]] = []
        batch: list[str] = []
        batch_tokens = 0
        for piece, tokens in pieces:
            full = len(batch) >= MAX_BATCH_ITEMS or batch_tokens + tokens > MAX_BATCH_TOKENS
            if batch and full:
                out.extend(self._request(batch))
                batch, batch_tokens = [], 0
            batch.append(piece)
            batch_tokens += tokens
        if batch:
            out.extend(self._request(batch))
        dims = {len(v) for v in out}
        if len(dims) > 1:
            raise MemoryUnavailable(f"the embedding endpoint returned vectors of sizes {dims}")
        return [np.asarray(v, dtype=np.float32) for v in out]

    def _request(self, batch: list[str]) -> list[list[float]]:
        self.requests += 1
        log.debug("embedding request %d: %d inputs (%s)", self.requests, len(batch), self.model)
        vectors = self._embed_batch(batch)
        if len(vectors) != len(batch):
            raise MemoryUnavailable(
                f"the embedding endpoint returned {len(vectors)} vectors for {len(batch)} inputs"
            )
        return vectors

    # --- cache --------------------------------------------------------------------------
    def _key(self, text: str) -> bytes:
        material = f"{self.model}\0{self.dimensions}\0{text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(material).digest()

    def _cached(self, operation: Callable[[], Any], fallback: Any) -> Any:
        """A cache that cannot be read or written is dropped for the run: a cost, not a failure."""
        try:
            return operation()
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "embedding cache %s unusable (%s); going on without it", self._cache_path, exc
            )
            self.close_cache()
            self._cache_path = None
            return fallback

    def _cache(self) -> sqlite3.Connection | None:
        if self._cache_path is None:
            return None
        if self._db is None:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._cache_path, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, vector BLOB)")
            self._db = db
        return self._db

    def _cache_get(self, keys: set[bytes]) -> dict[bytes, np.ndarray]:
        import numpy as np

        db = self._cache()
        if db is None or not keys:
            return {}
        found: dict[bytes, np.ndarray] = {}
        ordered = list(keys)
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = db.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", part)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def _cache_put(self, vectors: dict[bytes, np.ndarray]) -> None:
        db = self._cache()
        if db is None or not vectors:
            return
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                [(key, vector.astype("<f4").tobytes()) for key, vector in vectors.items()],
            )
            # rowids grow with each insert (a replaced entry gets a new one): keep the newest.
            db.execute(
                "DELETE FROM embeddings WHERE rowid <= (SELECT max(rowid) FROM embeddings) - ?",
                (CACHE_MAX_ENTRIES,),
            )


def space_name(model: str, dimensions: int) -> str:
    """The name of one embedding space (a folder, a table suffix): two models' vectors never mix."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._-") or "model"
    return f"{safe}-{dimensions or 'native'}"


def _unit(vector: np.ndarray) -> np.ndarray:
    import numpy as np

    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def split_to_limit(text: str, count_tokens: CountTokens, limit: int) -> list[str]:
    """Pieces of ``text``, cut at whitespace where possible, each at most ``limit`` tokens."""
    out: list[str] = []
    stack = [text]
    while stack:
        piece = stack.pop()
        tokens = count_tokens(piece)
        if tokens <= limit or len(piece) <= 1:
            out.append(piece)
            continue
        parts = max(2, -(-tokens // limit))
        cuts = sorted({_boundary(piece, len(piece) * i // parts) for i in range(1, parts)})
        bounds = [0, *(c for c in cuts if 0 < c < len(piece)), len(piece)]
        pieces = [piece[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
        if len(pieces) < 2:  # no usable cut: halve exactly
            middle = len(piece) // 2
            pieces = [piece[:middle], piece[middle:]]
        stack.extend(reversed(pieces))
    return [piece for piece in out if piece.strip()] or [text]


def _boundary(text: str, position: int, *, reach: int = 200) -> int:
    """The cut nearest before ``position`` that follows a newline or space, else ``position``."""
    window_start = max(1, position - reach)
    for separator in ("\n", " "):
        found = text.rfind(separator, window_start, position)
        if found != -1:
            return found + 1
    return position
