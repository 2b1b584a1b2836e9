"""``MEMORY_BACKEND=local``: memories in files under the data dir, appended, kept across runs.

One folder per embedding space (model and dimensions), ``<data dir>/memory/local/<space>/``:

* ``vectors.f32`` — the unit vectors, float32 rows of ``dims`` values, only ever appended. Row
  ``i`` belongs to memory ``id = i + 1``. A search memory-maps it and takes a brute-force dot
  product (numpy/BLAS: ~5 ms for 100k × 512 on two cores), so there is no index to rebuild.
* ``memories.sqlite`` — text, kind, metadata and time per id, plus ``dims`` once known. An add
  inserts one row: the file grows by about the text (rollback-journal mode, so no write-ahead
  log grows beside it); nothing is rewritten whole.

An add writes the vector row first, then commits the row in SQLite; on open, and before each add,
the two are reconciled (a torn or orphan vector row is cut off, a row without a vector dropped),
so a crash at any point loses at most the memory being added. Opening is lazy: no file is touched
until the first count, add or search, and numpy is imported by the first add or search.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autogpt.memory.base import MemoryHit, MemoryUnavailable
from autogpt.memory.embedder import Embedder

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

try:  # advisory lock between two runs sharing a data dir; not on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

VECTORS = "vectors.f32"
BLAS_ROWS = 20_000
DATABASE = "memories.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, kind TEXT NOT NULL,
    metadata TEXT NOT NULL, created REAL NOT NULL, hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS memories_hash ON memories (hash);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class LocalMemory:
    name = "local"

    def __init__(self, directory: Path, *, embedder: Embedder) -> None:
        self.directory = Path(directory)
        self.embedder = embedder
        self._db: sqlite3.Connection | None = None
        self._vectors: Any = None  # the append-only file, opened "ab"
        self._dims = 0
        self._matrix: np.ndarray | None = None  # np.memmap over the first _mapped rows
        self._mapped = 0
        self._lock = threading.RLock()

    # --- the MemoryStore protocol -------------------------------------------------------
    def add(
        self, text: str, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        self.add_many([text], kind=kind, metadata=metadata)

    def add_many(
        self, texts: Sequence[str], *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        """Add several texts with one embedding request; an exact repeat is not stored twice."""
        with self._lock:
            self._open()
            fresh = [t for t in dict.fromkeys(texts) if t.strip() and not self._has(t, kind)]
            if fresh:
                self.insert(fresh, self.embedder.embed(fresh), kind=kind, metadata=metadata)

    def search(self, query: str, k: int = 4) -> list[MemoryHit]:
        import numpy as np

        with self._lock:
            total = self.count()
            if total == 0 or k <= 0 or not query.strip():
                return []
            vector = self.embedder.embed_one(query)
            if vector.shape[0] != self._dims:
                raise MemoryUnavailable(
                    f"local memory in {self.directory} holds {self._dims}-dimension vectors but "
                    f"the embedding model returned {vector.shape[0]}; use --wipe-memory"
                )
            scores = _scores(self._rows(total), vector)
            k = min(k, total)
            top = np.argpartition(-scores, k - 1)[:k] if k < total else np.arange(total)
            best = sorted(((float(scores[i]), int(i) + 1) for i in top), reverse=True)
            return self._hits(best)

    def count(self) -> int:
        with self._lock:
            self._open()
            assert self._db is not None
            return int(self._db.execute("SELECT coalesce(max(id), 0) FROM memories").fetchone()[0])

    def clear(self) -> None:
        self.wipe()

    def wipe(self) -> None:
        """Delete this space's files (``--wipe-memory``); the store opens empty on next use."""
        with self._lock:
            self.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._matrix = None
            self._mapped = 0
            if self._vectors is not None:
                self._vectors.close()
                self._vectors = None
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- bulk insert with known vectors (add_many, bench) --------------------------------
    def insert(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        *,
        kind: str = "result",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Append rows whose unit vectors are already computed: vectors first, then SQLite."""
        import numpy as np

        matrix = np.ascontiguousarray(vectors, dtype="<f4")
        if matrix.ndim != 2 or matrix.shape[0] != len(texts):
            raise ValueError("insert needs one vector row per text")
        meta = json.dumps(metadata or {}, ensure_ascii=False, default=str)
        with self._lock:
            self._open()
            with self._file_lock():
                self._append(texts, matrix, kind=kind, meta=meta)

    def _append(self, texts: Sequence[str], matrix: np.ndarray, *, kind: str, meta: str) -> None:
        assert self._db is not None and self._vectors is not None
        if not self._dims:
            self._dims = int(matrix.shape[1])
            with self._db:
                self._db.execute("INSERT INTO meta VALUES ('dims', ?)", (str(self._dims),))
        if matrix.shape[1] != self._dims:
            raise MemoryUnavailable(
                f"local memory in {self.directory} holds {self._dims}-dimension vectors; "
                f"got {matrix.shape[1]}; use --wipe-memory"
            )
        first = self._reconcile() + 1
        self._vectors.write(matrix.tobytes())
        self._vectors.flush()
        now = time.time()
        rows = [
            (first + i, text, kind, meta, now, _hash(text, kind)) for i, text in enumerate(texts)
        ]
        with self._db:
            self._db.executemany("INSERT INTO memories VALUES (?, ?, ?, ?, ?, ?)", rows)

    # --- internals ----------------------------------------------------------------------
    def _open(self) -> None:
        if self._db is not None:
            return
        db = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.directory / DATABASE, check_same_thread=False)
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE key = 'dims'").fetchone()
            vectors = open(self.directory / VECTORS, "ab")  # kept open: rows are appended
        except (OSError, sqlite3.Error) as exc:
            if db is not None:
                db.close()
            raise MemoryUnavailable(f"cannot open local memory in {self.directory}: {exc}") from exc
        self._db = db
        self._vectors = vectors
        self._dims = int(found[0]) if found else 0
        with self._file_lock():
            self._reconcile()

    def _reconcile(self) -> int:
        """Make the vector file and the table agree; returns the number of memories."""
        assert self._db is not None and self._vectors is not None
        in_table = int(self._db.execute("SELECT coalesce(max(id), 0) FROM memories").fetchone()[0])
        size = os.fstat(self._vectors.fileno()).st_size
        row_bytes = 4 * self._dims
        in_file = size // row_bytes if row_bytes else 0
        if in_table > in_file:  # rows whose vectors were lost: drop them
            with self._db:
                self._db.execute("DELETE FROM memories WHERE id > ?", (in_file,))
            in_table = in_file
        if size != in_table * row_bytes:  # an orphan or torn vector row: cut it off
            os.ftruncate(self._vectors.fileno(), in_table * row_bytes)
            self._matrix, self._mapped = None, 0
        return in_table

    def _file_lock(self) -> _FileLock:
        return _FileLock(self._vectors)

    def _has(self, text: str, kind: str) -> bool:
        assert self._db is not None
        row = self._db.execute(
            "SELECT 1 FROM memories WHERE hash = ? LIMIT 1", (_hash(text, kind),)
        ).fetchone()
        return row is not None

    def _rows(self, total: int) -> np.ndarray:
        import numpy as np

        if self._matrix is None or self._mapped != total:
            self._matrix = np.memmap(
                self.directory / VECTORS, dtype="<f4", mode="r", shape=(total, self._dims)
            )
            self._mapped = total
        return self._matrix

    def _hits(self, best: list[tuple[float, int]]) -> list[MemoryHit]:
        assert self._db is not None
        ids = [memory_id for _, memory_id in best]
        marks = ",".join("?" * len(ids))
        rows = {
            row[0]: row
            for row in self._db.execute(
                f"SELECT id, text, kind, metadata, created FROM memories WHERE id IN ({marks})",
                ids,
            )
        }
        return [
            MemoryHit(
                text=rows[i][1],
                score=score,
                kind=rows[i][2],
                metadata=json.loads(rows[i][3]),
                created=datetime.fromtimestamp(rows[i][4], tz=timezone.utc),
            )
            for score, i in best
            if i in rows
        ]


class _FileLock:
    """An exclusive advisory lock on the vector file while rows are appended."""

    def __init__(self, handle: Any) -> None:
        self._fd = handle.fileno() if handle is not None else None

    def __enter__(self) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def _scores(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Cosine scores of every row. BLAS threads pay off only on a big matrix; on a small one,
    when the other cores are busy, waking them stalls a query for milliseconds, so a
    single-threaded loop (einsum) is used below ``BLAS_ROWS``."""
    import numpy as np

    if matrix.shape[0] >= BLAS_ROWS:
        scores: np.ndarray = matrix @ vector
    else:
        scores = np.einsum("ij,j->i", matrix, vector)
    return scores


def _hash(text: str, kind: str) -> bytes:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).digest()
