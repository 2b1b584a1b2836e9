"""The agent against a real local model server: llama.cpp's own OpenAI-compatible server
(``llama-cpp-python[server]``) with SmolLM2-135M-Instruct, set up by ``.ci/setup-llamacpp.sh``.

A 135M model replies nonsense. What is checked is that the agent survives whatever it says: an
unusable reply is corrected, then counted, the run goes on and ends by itself at its continuous
limit with the exit status and report of any run, no traceback, and no request the server refused
as too long. The server's ``n_ctx`` is set explicitly and the agent's token limits are set below
it in ``.env``, as a user of a small local model would (the agent counts with tiktoken, the
model's own tokenizer counts about 15 % more).

The run uses whatever transport the agent uses by default: streaming (issue I, item 1). The
server streams plain replies; with tools it cannot (an empty stream), and the agent asks for
whole replies from then on. Nothing here is mocked but the public internet: web traffic goes to
a dead proxy on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.llama_server import LlamaServer, llama_server

JSON_N_CTX = 2048
TOOLS_N_CTX = 3072
"""The tool schemas take about 600 tokens of every request: 2048 leaves no room for a history."""
CYCLES = 6
RUN_TIMEOUT = 900

StartServer = Callable[..., LlamaServer]


@pytest.fixture
def start_llama_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start(n_ctx, chat_format=None) -> LlamaServer``; each is stopped at teardown."""
    with ExitStack() as stack:

        def start(n_ctx: int, chat_format: str | None = None) -> LlamaServer:
            return stack.enter_context(llama_server(tmp_path, n_ctx=n_ctx, chat_format=chat_format))

        yield start


def token_limit(n_ctx: int) -> int:
    """FAST/SMART_TOKEN_LIMIT: an eighth under n_ctx, a margin for the tokenizers' difference."""
    return n_ctx * 7 // 8


def _write_env(folder: Path, server: LlamaServer, **extra: str) -> None:
    settings = {
        **server.env(),
        "FAST_TOKEN_LIMIT": str(token_limit(server.n_ctx)),
        "SMART_TOKEN_LIMIT": str(token_limit(server.n_ctx)),
        "MEMORY_BACKEND": "no_memory",  # the server is started without embeddings
        "MODEL_PRICE_INPUT": "0",
        "MODEL_PRICE_OUTPUT": "0",
        # Whatever the model asks for stays on this machine.
        "USE_WEB_BROWSER": "none",
        "SEARCH_BACKEND": "searxng",
        "SEARXNG_URL": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        **extra,
    }
    lines = [f"{name}={value}" for name, value in settings.items()]
    (folder / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _journal(folder: Path) -> list[dict[str, Any]]:
    (path,) = (folder / ".autogpt" / "sessions").glob("*/journal.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _run_six_cycles(
    tmp_path: Path, server: LlamaServer, *, refused: list[int], **settings: str
) -> list[dict[str, Any]]:
    """The seed goals, ``-c -l 6``, through ``.env``; checks how any run must end and returns
    the journal. ``refused``: the statuses the server answers first, before it answers all."""
    write_profile(tmp_path)
    _write_env(tmp_path, server, **settings)
    env = agent_env(None)
    for name in ("OPENAI_FUNCTIONS", "MEMORY_BACKEND", "FAST_TOKEN_LIMIT", "SMART_TOKEN_LIMIT"):
        # .env decides, as for a user
        env.pop(name, None)
    done = run_agent(None, "-c", "-l", str(CYCLES), "-y", env=env, timeout=RUN_TIMEOUT)
    shown = done.stdout + done.stderr
    (tmp_path / "agent-output.txt").write_text(shown, encoding="utf-8")  # to read when it fails
    assert "Traceback" not in shown, shown
    assert not (tmp_path / "logs" / "error.log").exists() or "Traceback" not in (
        tmp_path / "logs" / "error.log"
    ).read_text(encoding="utf-8")
    journal = _journal(tmp_path)
    end = journal[-1]
    assert end["type"] == "end", shown
    if done.returncode == 3:  # the usual end: nonsense to the last cycle, or the same nonsense
        # until the stuck detector stops the run (which, depends on the exact prompt)
        limit = f"Continuous limit of {CYCLES} reached" in done.stdout
        assert limit or end["status"] == "stuck", shown
    else:  # the model happened to call task_complete
        assert done.returncode == 0, shown
    # No overflow: no request refused as too long, none past the server's window.
    assert "too long" not in shown, shown
    requests = [event for event in journal if event["type"] == "request"]
    assert requests, shown
    for event in requests:
        assert event["prompt_tokens"] + event["completion_tokens"] <= server.n_ctx, event
    # The server's own log: one answered chat request per request in the journal.
    chats = server.chat_requests()
    assert [c.status for c in chats] == refused + [200] * len(requests), server.log()[-3000:]
    # The report says how the run ended and what it cost.
    (report,) = (tmp_path / ".autogpt" / "sessions").glob("*/report.md")
    text = report.read_text(encoding="utf-8")
    assert f"{len(requests)} requests" in text, text
    assert f"exit status {done.returncode}" in text, text
    return journal


def _cycles(journal: list[dict[str, Any]]) -> int:
    return sum(1 for e in journal if e["type"] in ("command_finished", "unusable", "feedback"))


def test_agent_survives_six_cycles_of_a_small_local_model_in_json_mode(
    start_llama_server: StartServer, tmp_path: Path, workspace: Path
) -> None:
    server = start_llama_server(JSON_N_CTX)
    journal = _run_six_cycles(tmp_path, server, refused=[], OPENAI_FUNCTIONS="false")
    assert journal[0]["options"]["tool_mode"] is False
    assert not [e for e in journal if e["type"] == "quirk"], journal  # it streamed throughout
    finished = any(
        e["type"] == "command_finished" and e["command"] == "task_complete" for e in journal
    )
    assert _cycles(journal) == CYCLES or finished or journal[-1]["status"] == "stuck"


def test_agent_survives_six_cycles_of_a_small_local_model_with_tool_calls(
    start_llama_server: StartServer, tmp_path: Path, workspace: Path
) -> None:
    server = start_llama_server(TOOLS_N_CTX, "chatml-function-calling")
    # It cannot stream with tools (200 and no event: "Automatic streaming tool choice is not
    # supported"), so the agent asks for whole replies; then its handler fails tool_choice
    # "required" (500), and the agent sends "auto" from then on.
    journal = _run_six_cycles(tmp_path, server, refused=[200, 500], OPENAI_FUNCTIONS="true")
    assert journal[0]["options"]["tool_mode"] is True
    quirks = [(e["name"], e["value"]) for e in journal if e["type"] == "quirk"]
    assert quirks == [("stream", False), ("tool_choice", "auto")], quirks
    # The server took the tools: the run never fell back to JSON replies.
    assert not [e for e in journal if e["type"] == "tool_mode"], journal
    finished = any(
        e["type"] == "command_finished" and e["command"] == "task_complete" for e in journal
    )
    assert _cycles(journal) == CYCLES or finished or journal[-1]["status"] == "stuck"
