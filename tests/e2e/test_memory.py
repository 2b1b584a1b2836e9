"""Long-term memory end to end: a result from an earlier run comes back in a later prompt,
within the token budget; embeddings come from the local test server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

FACT = "Beijing ice cream sales in July were 120 thousand cones, the highest of any city."


def test_a_result_from_an_earlier_run_is_recalled_later(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (workspace / "sales.txt").write_text(FACT, encoding="utf-8")
    (workspace / "question.txt").write_text(
        "How were Beijing ice cream sales in July?", encoding="utf-8"
    )
    first = model_server_factory(
        autogpt_reply("read_file", {"filename": "sales.txt"}),
        autogpt_reply("task_complete", {"reason": "noted"}),
        context_window=4097,
    )
    env = agent_env(first, MEMORY_BACKEND="local")
    assert run_agent(first, "-c", "-l", "5", "-y", env=env).returncode == 0
    assert first.embedding_requests
    # Embeddings are paid for: they are in the journal's requests and the report's costs.
    (session,) = (tmp_path / ".autogpt" / "sessions").iterdir()
    events = [json.loads(line) for line in (session / "journal.jsonl").read_text().splitlines()]
    embedded = [e for e in events if e["type"] == "request" and e["purpose"] == "embedding"]
    assert len(embedded) == len(first.embedding_requests)
    assert all(
        e["model"] == "text-embedding-3-small" and e["prompt_tokens"] > 0 and e["cost"] > 0
        for e in embedded
    )
    assert "- text-embedding-3-small: " in (session / "report.md").read_text(encoding="utf-8")

    second = model_server_factory(
        autogpt_reply("read_file", {"filename": "question.txt"}),
        autogpt_reply("task_complete", {"reason": "answered"}),
        context_window=4097,
    )
    done = run_agent(second, "-c", "-l", "5", "-y", env=agent_env(second, MEMORY_BACKEND="local"))
    assert done.returncode == 0, done.stdout
    recalled = second.requests[1].messages[-1]["content"]
    assert "Relevant memories" in recalled and "120 thousand cones" in recalled
    assert second.overflows == 0
    for request in second.requests:
        assert request.prompt_tokens + request.body["max_tokens"] <= 4000


def test_a_failing_memory_backend_warns_once_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("list_files", {"directory": "sub"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    (workspace / "sub").mkdir()
    env = agent_env(
        model_server, MEMORY_BACKEND="postgres", DATABASE_URL="postgresql://nobody@127.0.0.1:9/none"
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y", env=env)
    assert done.returncode == 0, done.stdout
    assert done.stdout.count("cannot reach PostgreSQL") == 1


def test_an_embedding_model_of_unknown_price_is_said_once(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """A local embedding model (Ollama's nomic-embed-text): the run goes on, counting it $0."""
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    env = agent_env(
        model_server,
        MEMORY_BACKEND="local",
        EMBEDDING_MODEL="nomic-embed-text",
        EMBEDDING_DIMENSIONS="0",
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y", env=env)
    assert done.returncode == 0, done.stdout
    warned = [
        line
        for line in done.stdout.splitlines()
        if "price of the embedding model 'nomic-embed-text' is unknown" in line
    ]
    assert len(warned) == 1


def test_the_cost_line_counts_memory_requests_apart(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """ "2 requests" means two replies of the model; embeddings are shown beside them."""
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    env = agent_env(model_server, MEMORY_BACKEND="local")
    done = run_agent(model_server, "-c", "-l", "5", "-y", env=env)
    assert done.returncode == 0, done.stdout
    embeddings = len(model_server.embedding_requests)
    assert embeddings > 0
    cost_lines = [line for line in done.stdout.splitlines() if line.startswith("Cost: ")]
    assert cost_lines[-1].endswith(f"| 2 requests (+{embeddings} for memory)"), cost_lines
