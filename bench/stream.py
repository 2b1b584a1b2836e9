"""Streaming: how soon the first thought shows, against the time to the whole reply (issue I).

    .venv/bin/python bench/stream.py [--repeat 5] [--chunk-chars 8] [--chunk-delay 0.02]

In-process: the real client (``llm/client.py``) streams an Auto-GPT JSON reply from the scripted
server (``tests/support/sse.py``: ``--chunk-chars`` characters per chunk, ``--chunk-delay``
seconds apart), and the real renderer draws the thoughts as they arrive on a terminal console
whose output is timed as it is written (a terminal of 100 columns, written to memory). Per run:

- first chunk -> first visible thought: from the server writing the first chunk that holds any of
  the thought's text to the terminal output first showing it (target: <= 50 ms);
- request -> first visible thought, and request -> whole reply (what a user waited before, with
  the spinner alone); their ratio.

Medians over ``--repeat`` runs.

The cached-prefix share (``--prefix``, the issue's second figure): the 30-cycle research run of
``tokens_per_cycle.py`` (``python -m autogpt -c -y --gpt3only``, JSON mode, streaming) at a 4k,
16k and 128k token limit; for each main request after the first, the share of its tokens
(cl100k_base over the messages as received) that are a prefix of the previous main request's,
which a provider's prompt cache can serve; mean and lowest share per run (target: mean >= 0.9 at
16k and 128k), and the summary requests sent (their cost). ``--cycles 60`` for a longer run.
Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rich.console import Console as RichConsole  # noqa: E402

from autogpt.agent.events import Thinking, ThoughtDelta  # noqa: E402
from autogpt.config.settings import Settings  # noqa: E402
from autogpt.llm.client import OpenAIModelClient  # noqa: E402
from autogpt.llm.types import ChatRequest  # noqa: E402
from autogpt.ui.console import Console  # noqa: E402
from autogpt.ui.live_thoughts import thought_so_far  # noqa: E402
from autogpt.ui.render import Renderer  # noqa: E402
from tests.support.model_script import Reply, streamed  # noqa: E402
from tests.support.model_server import ModelServer  # noqa: E402
from tests.support.token_count import tiktoken_cache_dir  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 50.0
LABEL = "THOUGHTS SO FAR: "
REPLY = json.dumps(
    {
        "thoughts": {
            "text": "I should read the source notes first, then write the first section.",
            "reasoning": "The goals ask for one section per source; the notes hold the "
            "figures, so reading them comes before any writing. " * 3,
            "plan": "- read notes/source1.txt\n- write notes/section1.md\n- repeat per source",
            "criticism": "I must keep every figure traceable to its source file.",
            "speak": "Reading the first source.",
        },
        "command": {"name": "read_file", "args": {"filename": "notes/source1.txt"}},
    }
)


class TimedScreen(io.StringIO):
    """A terminal's output (dropped), noting when the thought first appears in it."""

    def __init__(self) -> None:
        super().__init__()
        self.first_thought: float | None = None

    def write(self, text: str) -> int:
        if self.first_thought is None:
            at = text.find(LABEL)
            if at >= 0 and text[at + len(LABEL) : at + len(LABEL) + 1].strip():
                self.first_thought = time.monotonic()
        return len(text)


def _first_thought_chunk(chunk_chars: int) -> int:
    """The index of the first chunk holding thought text (chunk 0 carries only the role)."""
    for pieces in range(1, len(REPLY) // chunk_chars + 2):
        if thought_so_far(REPLY[: pieces * chunk_chars]):
            return pieces
    raise AssertionError("the reply holds no thought")


def run_once(server: ModelServer, chunk_chars: int) -> tuple[float, float, float]:
    """(first chunk -> visible, request -> visible, request -> whole), in seconds."""
    settings = Settings(_env_file=None, openai_api_key="sk-test", openai_api_base=server.base_url)
    client = OpenAIModelClient(settings)
    screen = TimedScreen()
    console = Console(no_color=True)
    console.out = RichConsole(file=screen, force_terminal=True, width=100, color_system=None)
    render = Renderer(console)
    messages = [{"role": "user", "content": "Begin."}]
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=messages,
        max_tokens=800,
        on_delta=lambda text, reasoning: render(ThoughtDelta(text, reasoning)),
    )
    render(Thinking(True))
    started = time.monotonic()
    reply = client.complete(request)
    whole = time.monotonic()
    render(Thinking(False))
    assert reply.text == REPLY, "the reply came back changed"
    assert screen.first_thought is not None, "no thought was shown"
    sent = server.requests[-1].chunks_sent[_first_thought_chunk(chunk_chars)]
    return screen.first_thought - sent, screen.first_thought - started, whole - started


PREFIX_TARGET = 0.9
PREFIX_WINDOWS: tuple[tuple[str, str, int, int], ...] = (
    ("4k", "gpt-3.5-turbo-0613", 4097, 4000),
    ("16k", "gpt-4o", 128000, 16000),
    ("128k", "gpt-4o", 128000, 128000),
)


def _prompt_tokens(messages: list[dict[str, Any]]) -> list[int]:
    import tiktoken

    parts = []
    for m in messages:
        content = m.get("content")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        parts.append(f"<|{m.get('role')}|>{text or ''}")
        if m.get("tool_calls"):
            parts.append(json.dumps(m["tool_calls"], ensure_ascii=False))
    encoding = tiktoken.get_encoding("cl100k_base")
    return encoding.encode("".join(parts), disallowed_special=())


def _shared(previous: list[int], current: list[int]) -> int:
    n = 0
    for a, b in zip(previous, current, strict=False):
        if a != b:
            break
        n += 1
    return n


def prefix_shares(cycles: int) -> None:
    """The issue's second figure: each prompt's share that is the previous prompt's prefix."""
    from _common import Responder, TimedServer, agent_env, is_summary, run_agent, run_folder
    from tokens_per_cycle import research_run

    scenario = research_run(cycles)
    print(f"\ncached-prefix share, {scenario.name} run, JSON mode, streaming")
    header = f"{'limit':<6} {'main requests':>13} {'summaries':>9} {'mean share':>11}"
    print(f"{header} {'lowest':>7}  target")
    for name, model, window, limit in PREFIX_WINDOWS:
        with (
            TimedServer([Responder(scenario.actions)], loop=True, context_window=window) as server,
            run_folder(scenario.files) as folder,
        ):
            env = agent_env(server, FAST_LLM_MODEL=model, FAST_TOKEN_LIMIT=str(limit))
            run = run_agent(folder, env, "-c", "-l", str(cycles + 10), "-y", "--gpt3only")
            main = [r for r in server.requests if not is_summary(r)]
            summaries = len(server.requests) - len(main)
        run.check(0)
        prompts = [_prompt_tokens(r.messages) for r in main]
        shares = [_shared(a, b) / len(b) for a, b in zip(prompts, prompts[1:], strict=False) if b]
        mean = statistics.mean(shares) if shares else 0.0
        wanted = name != "4k"
        verdict = ("PASS" if mean >= PREFIX_TARGET else "MISS") if wanted else "-"
        lowest = min(shares, default=0)
        print(f"{name:<6} {len(main):>13} {summaries:>9} {mean:>11.3f} {lowest:>7.3f}  {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chunk-chars", type=int, default=8)
    parser.add_argument("--chunk-delay", type=float, default=0.02)
    parser.add_argument("--prefix", action="store_true", help="also the cached-prefix share")
    parser.add_argument("--cycles", type=int, default=30, help="cycles of the --prefix runs")
    args = parser.parse_args(argv)
    cache = tiktoken_cache_dir()
    if cache:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", cache)
    step = streamed(Reply(REPLY), chunk_chars=args.chunk_chars, chunk_delay=args.chunk_delay)
    chunks = len(REPLY) // args.chunk_chars + 3
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(
        f"reply: {len(REPLY)} characters in ~{chunks} chunks of {args.chunk_chars}, "
        f"{args.chunk_delay * 1000:g} ms apart; {args.repeat} runs"
    )
    with ModelServer([step] * (args.repeat + 1)) as server:
        run_once(server, args.chunk_chars)  # warm-up: imports, the tokenizer, the connection
        runs = [run_once(server, args.chunk_chars) for _ in range(args.repeat)]
    lag, visible, whole = (statistics.median(column) for column in zip(*runs, strict=True))
    verdict = "PASS" if lag * 1000 <= TARGET_MS else "MISS"
    print(f"{'figure':<44} {'median':>10}")
    print(
        f"{'first chunk -> first visible thought':<44} {lag * 1000:>8.1f} ms  "
        f"(target <= {TARGET_MS:g} ms: {verdict}; worst {max(r[0] for r in runs) * 1000:.1f} ms)"
    )
    print(f"{'request -> first visible thought':<44} {visible * 1000:>8.1f} ms")
    print(f"{'request -> whole reply (spinner alone before)':<44} {whole * 1000:>8.1f} ms")
    print(
        f"{'first visible thought / whole reply':<44} {visible / whole:>10.3f}  "
        f"({whole / visible:.0f}x sooner)"
    )
    if args.prefix:
        prefix_shares(args.cycles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
