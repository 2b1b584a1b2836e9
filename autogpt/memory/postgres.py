"""``MEMORY_BACKEND=postgres``: memories in PostgreSQL with pgvector, shared across machines.

``DATABASE_URL`` names the server (``postgresql://user:pass@host:5432/db``). On first use the
``vector`` extension is created if missing, then one table per embedding space,
``autogpt_memory_<model>_<dims>``, with an HNSW index for cosine distance. Connecting is lazy: it
happens on the first count, add or search, never before the first model request. Failures become
:class:`MemoryUnavailable` with one line that says what to do (the password is never shown).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from autogpt.memory.base import MemoryHit, MemoryUnavailable
from autogpt.memory.embedder import Embedder, space_name

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")

TABLE_PREFIX = "autogpt_memory"
CONNECT_TIMEOUT = 5


def table_name(model: str, dimensions: int) -> str:
    name = f"{TABLE_PREFIX}_{space_name(model, dimensions)}".lower()
    return re.sub(r"[^a-z0-9_]+", "_", name)[:63]


def describe_url(url: str) -> str:
    """``host:port/dbname`` of a connection URL, without user or password."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(url)
    except Exception:
        return "DATABASE_URL (unparsable)"
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    return f"{host}:{port}/{info.get('dbname') or info.get('user') or ''}"


class PostgresMemory:
    name = "postgres"

    def __init__(
        self,
        url: str,
        *,
        embedder: Embedder,
        table: str | None = None,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        self.url = url
        self.embedder = embedder
        self.table = table or table_name(embedder.model, embedder.dimensions)
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._dims = 0  # 0 until the table exists
        self._lock = threading.RLock()

    @cached_property
    def where(self) -> str:
        """Where the server is, for messages (parsed on demand: psycopg is imported lazily)."""
        return describe_url(self.url)

    # --- the MemoryStore protocol -------------------------------------------------------
    def add(
        self, text: str, *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        self.add_many([text], kind=kind, metadata=metadata)

    def add_many(
        self, texts: Sequence[str], *, kind: str = "result", metadata: dict[str, Any] | None = None
    ) -> None:
        """Add several texts with one embedding request; an exact repeat is not stored twice."""

        def operation(conn: Any) -> None:
            fresh = [t for t in dict.fromkeys(texts) if t.strip()]
            if fresh and self._table_ready():
                hashes = [_hash(t, kind) for t in fresh]
                known = {
                    bytes(row[0])
                    for row in conn.execute(
                        f"SELECT hash FROM {self.table} WHERE hash = ANY(%s)", (hashes,)
                    )
                }
                fresh = [t for t, h in zip(fresh, hashes, strict=True) if h not in known]
            if fresh:
                self._insert(conn, fresh, self.embedder.embed(fresh), kind, metadata)

        self._run(operation)

    def search(self, query: str, k: int = 4) -> list[MemoryHit]:
        def operation(conn: Any) -> list[Any]:
            if not self._table_ready() or k <= 0 or not query.strip():
                return []
            if conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {self.table})").fetchone()[0]:
                return []
            vector = self.embedder.embed_one(query)
            self._check_dims(vector.shape[0])
            return list(
                conn.execute(
                    f"SELECT text, kind, metadata, created, embedding <=> %s AS distance "
                    f"FROM {self.table} ORDER BY distance LIMIT %s",
                    (vector, k),
                ).fetchall()
            )

        return [
            MemoryHit(text=t, score=1.0 - float(d), kind=kind, metadata=m or {}, created=c)
            for t, kind, m, c, d in self._run(operation)
        ]

    def count(self) -> int:
        def operation(conn: Any) -> int:
            if not self._table_ready():
                return 0
            return int(conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])

        return self._run(operation)

    def clear(self) -> None:
        def operation(conn: Any) -> None:
            if self._table_ready():
                conn.execute(f"TRUNCATE {self.table}")

        self._run(operation)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- bulk insert with known vectors (add_many, bench) --------------------------------
    def insert(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        *,
        kind: str = "result",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if len(vectors) != len(texts):
            raise ValueError("insert needs one vector row per text")
        self._run(lambda conn: self._insert(conn, texts, vectors, kind, metadata))

    def _insert(
        self,
        conn: Any,
        texts: Sequence[str],
        vectors: np.ndarray,
        kind: str,
        metadata: dict[str, Any] | None,
    ) -> None:
        from psycopg.types.json import Jsonb

        if not self._dims:
            self._create_table(int(vectors.shape[1]))
        self._check_dims(int(vectors.shape[1]))
        meta = Jsonb(metadata or {})
        with conn.transaction(), conn.cursor() as cur:  # one commit for the batch
            cur.executemany(
                f"INSERT INTO {self.table} (text, kind, metadata, hash, embedding) "
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    (text, kind, meta, _hash(text, kind), vector)
                    for text, vector in zip(texts, vectors, strict=True)
                ],
            )

    def _run(self, operation: Callable[[Any], T]) -> T:
        """``operation(connection)`` under the lock, psycopg errors as one line; once more on a
        new connection when the old one was lost (a server restart, a network drop, an admin's
        ``pg_terminate_backend``): nothing was committed by the failed try, and embeddings are
        cached, so the retry costs no second request."""
        with self._lock:
            for attempt in range(2):
                try:
                    with self._errors():
                        return operation(self._connection())
                except ConnectionLost:
                    if attempt:
                        raise
                    log.info("connection to PostgreSQL at %s lost; reconnecting", self.where)
        raise AssertionError("unreachable")

    # --- connection and schema ----------------------------------------------------------
    def _connection(self) -> Any:
        if self._conn is not None:
            return self._conn
        try:
            import psycopg
            from pgvector.psycopg import register_vector
        except ImportError as exc:
            raise MemoryUnavailable(
                f"MEMORY_BACKEND=postgres needs the packages psycopg and pgvector ({exc.name} "
                "is missing): pip install 'psycopg[binary]' pgvector"
            ) from exc
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)
        except psycopg.Error as exc:
            raise MemoryUnavailable(
                f"cannot reach PostgreSQL at {self.where} (DATABASE_URL): {_first_line(exc)}"
            ) from exc
        try:
            self._ensure_extension(conn)
            register_vector(conn)
            self._dims = self._table_dims(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _ensure_extension(self, conn: Any) -> None:
        import psycopg

        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
            return
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            raise MemoryUnavailable(
                f"PostgreSQL at {self.where} has no pgvector extension and it could not be "
                f"created ({_first_line(exc)}); install pgvector on the server and run "
                "'CREATE EXTENSION vector' as a superuser, or use MEMORY_BACKEND=local"
            ) from exc

    def _table_ready(self) -> bool:
        """Whether the table exists (another machine may have created it since we connected)."""
        if not self._dims:
            self._dims = self._table_dims(self._connection())
        return bool(self._dims)

    def _table_dims(self, conn: Any) -> int:
        row = conn.execute(
            "SELECT atttypmod FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attname = 'embedding'",
            (self.table,),
        ).fetchone()
        return int(row[0]) if row and row[0] > 0 else 0

    def _create_table(self, dims: int) -> None:
        conn = self._conn
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table,))
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                "id bigserial PRIMARY KEY, text text NOT NULL, kind text NOT NULL, "
                "metadata jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now(), "
                f"hash bytea NOT NULL, embedding vector({dims}) NOT NULL)"
            )
            conn.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_hash ON {self.table} (hash)")
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table} "
                "USING hnsw (embedding vector_cosine_ops)"
            )
        self._dims = self._table_dims(conn)

    def _check_dims(self, dims: int) -> None:
        if dims != self._dims:
            raise MemoryUnavailable(
                f"table {self.table} at {self.where} holds {self._dims}-dimension vectors but "
                f"the embedding model returned {dims}; use --wipe-memory or another "
                "EMBEDDING_DIMENSIONS"
            )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg errors → one MemoryUnavailable line; a broken connection is dropped."""
        try:
            import psycopg
        except ImportError:
            yield
            return
        try:
            yield
        except psycopg.Error as exc:
            conn = self._conn
            lost = conn is not None and (conn.closed or conn.broken)
            if lost:
                self.close()
            error = ConnectionLost if lost else MemoryUnavailable
            raise error(f"PostgreSQL memory at {self.where} failed: {_first_line(exc)}") from exc


class ConnectionLost(MemoryUnavailable):
    """The connection broke during an operation (the server may be back already)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hash(text: str, kind: str) -> bytes:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).digest()
