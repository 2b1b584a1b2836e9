"""Tokens and requests per cycle: what the context budget costs, and whether it ever overflows.

    .venv/bin/python bench/tokens_per_cycle.py [--cycles 30] [--only 4k-json ...]

Drives scripted runs (``python -m autogpt -c -l N -y --gpt3only``) against the local server
(``tests/support/model_server.py``), which counts prompt tokens as OpenAI does and refuses a
request above its context window (``overflows``):

- ``--cycles`` cycles of a research run with realistic result sizes: read_file of 2 KB source
  notes, write_to_file of 1.7 KB sections, list_files; then task_complete;
- the reference case: an 11-cycle run writing ten 1.7 KB files, then task_complete (Auto-GPT
  v0.3.0: 2 requests per cycle, ~2,000 prompt tokens per main call on such a run);

each with a 4k window (gpt-3.5-turbo-0613, window 4097, FAST_TOKEN_LIMIT 4000), an 8k window
(gpt-4, 8192, 8000) and a 128k window (gpt-4o, 128000, 128000), in JSON mode and tool-call mode.
Summary requests (system message "You keep the running memory...", no tools) are answered with a
short summary by the same script.

Per run: model requests per cycle (target <= 1.05, summaries included), mean and max prompt tokens
per main call as the server counts them (target <= 1,500 on the 11-cycle 4k run), the share of
requests whose first 1,024 tokens (cl100k_base over the concatenated messages as received) equal
the previous request's (prompt-cache friendliness, target >= 0.9), counted over the pairs where
both requests have at least 1,024 tokens (providers cache nothing shorter; OpenAI's minimum), with
the share over all pairs beside it; "prev main" compares a main request with the previous main
request, as a provider's cache keyed by prefix would; and context overflows (target 0). Prints
figures; not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tiktoken

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Action,
    Responder,
    TimedServer,
    agent_env,
    is_summary,
    run_agent,
    run_folder,
    table,
    verdict,
)

from tests.support.token_count import count_messages, count_tools

REQUESTS_TARGET = 1.05
PROMPT_TARGET = 1500
CACHE_TARGET = 0.9
CACHE_PREFIX = 1024


@dataclass(frozen=True)
class Window:
    name: str
    model: str
    window: int
    limit: int


WINDOWS = (
    Window("4k", "gpt-3.5-turbo-0613", 4097, 4000),
    Window("8k", "gpt-4", 8192, 8000),
    Window("128k", "gpt-4o", 128000, 128000),
)

# --- realistic text ---------------------------------------------------------------------------
_SUBJECTS = (
    "Artisanal gelato",
    "Premium ice cream",
    "Plant-based frozen dessert",
    "Soft-serve",
    "Frozen yogurt",
    "Private-label ice cream",
    "Single-serve cones",
    "Multipack sticks",
)
_PLACES = (
    "Germany",
    "Italy",
    "France",
    "Spain",
    "the Netherlands",
    "Poland",
    "Sweden",
    "Austria",
    "Belgium",
    "Portugal",
)
_SOURCES = (
    "Euromonitor",
    "Mintel",
    "Statista",
    "the national dairy board",
    "a 2023 Nielsen panel",
    "the trade press",
)
_TEMPLATES = (
    "{S} sales in {P} {V} {pct}% in {year}, reaching EUR {num} million according to {src}.",
    "The average retail price in {P} was EUR {price} per litre, {pct}% above the {year2} level.",
    "{S} accounts for {pct}% of the category in {P}; the top three brands hold {pct2}% of it.",
    "Consumers aged 18 to 34 in {P} buy {s} {n} times a year on average, mostly in summer.",
    "Discounters now sell {pct}% of all volume in {P}, up from {pct2}% in {year2}.",
    "Margins for small producers in {P} are under pressure from dairy costs, up {pct}% since "
    "{year2}.",
    "{src} expects the {P} market to grow {pct}% a year until {year3}, led by {s}.",
)


def prose(size: int, seed: int) -> str:
    """About ``size`` characters of report-like English with figures (~3.8 characters/token)."""
    rng = random.Random(seed)

    def sentence() -> str:
        return rng.choice(_TEMPLATES).format(
            S=rng.choice(_SUBJECTS),
            s=rng.choice(_SUBJECTS).lower(),
            P=rng.choice(_PLACES),
            V=rng.choice(("grew", "declined", "rose", "fell", "recovered")),
            pct=f"{rng.uniform(0.5, 30):.1f}",
            pct2=f"{rng.uniform(5, 70):.0f}",
            year=rng.choice((2021, 2022, 2023)),
            year2=rng.choice((2018, 2019, 2020)),
            year3=rng.choice((2027, 2028, 2030)),
            num=f"{rng.uniform(50, 2500):,.0f}",
            n=rng.randint(3, 40),
            price=f"{rng.uniform(4, 19):.2f}",
            src=rng.choice(_SOURCES),
        )

    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < size:
        paragraphs.append(" ".join(sentence() for _ in range(rng.randint(3, 5))))
    return "\n\n".join(paragraphs)[:size].rsplit(" ", 1)[0] + "."


def section(index: int) -> str:
    return f"# Section {index + 1}: market figures\n\n" + prose(1700 - 40, 1000 + index)


# --- scenarios --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    name: str
    files: dict[str, str]
    actions: list[Action]


def research_run(cycles: int) -> Scenario:
    """read a 2 KB source, write a 1.7 KB section, list the notes or read another source."""
    files = {f"sources/source_{k}.txt": prose(2048, k) for k in range(cycles // 3 + 1)}
    files.update({f"sources/extra_{k}.txt": prose(2048, 500 + k) for k in range(cycles // 3 + 1)})
    actions = []
    for i in range(cycles - 1):
        k = i // 3
        if i % 3 == 0:
            actions.append(Action("read_file", {"filename": f"sources/source_{k}.txt"}))
        elif i % 3 == 1:
            actions.append(
                Action("write_to_file", {"filename": f"notes/section_{k}.md", "text": section(k)})
            )
        elif k % 2 == 0:
            actions.append(Action("list_files", {"directory": "notes"}))
        else:
            actions.append(Action("read_file", {"filename": f"sources/extra_{k}.txt"}))
    actions.append(Action("task_complete", {"reason": "every section is written"}))
    return Scenario(f"{cycles}-cycle research", files, actions)


def writing_run(cycles: int = 11) -> Scenario:
    """Auto-GPT's reference: write ten 1.7 KB files, then task_complete."""
    actions = [
        Action("write_to_file", {"filename": f"report/part_{k + 1}.md", "text": section(k)})
        for k in range(cycles - 1)
    ]
    actions.append(Action("task_complete", {"reason": "the report is written"}))
    return Scenario(f"{cycles}-cycle writing", {}, actions)


# --- measuring --------------------------------------------------------------------------------
_encoder: tiktoken.Encoding | None = None


def prefix_tokens(messages: list[dict[str, Any]]) -> list[int]:
    """The first CACHE_PREFIX tokens of the messages as received, concatenated."""
    global _encoder
    if _encoder is None:
        import tiktoken

        _encoder = tiktoken.get_encoding("cl100k_base")
    parts = []
    for m in messages:
        content = m.get("content")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        parts.append(f"<|{m.get('role')}|>{text or ''}")
        if m.get("tool_calls"):
            parts.append(json.dumps(m["tool_calls"], ensure_ascii=False))
        if m.get("tool_call_id"):
            parts.append(str(m["tool_call_id"]))
    return _encoder.encode("".join(parts), disallowed_special=())[:CACHE_PREFIX]


def share_equal(prefixes: list[list[int]], *, cacheable_only: bool = True) -> float:
    """Share of consecutive pairs with equal prefixes; by default only the pairs a provider
    could serve from its cache (both requests at least CACHE_PREFIX tokens long)."""
    pairs = list(zip(prefixes, prefixes[1:], strict=False))
    if cacheable_only:
        pairs = [(a, b) for a, b in pairs if len(a) == len(b) == CACHE_PREFIX]
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 1.0


@dataclass
class Figures:
    scenario: str
    window: str
    mode: str
    exit_code: int
    cycles: int
    requests: int
    summaries: int
    corrections: int
    mean_prompt: float
    max_prompt: int
    first_prompt: int
    cache_any: float
    cache_main: float
    cache_all_pairs: float
    """cache_main over every pair, the short requests' too."""
    overflows: int
    counted_over: float
    """Mean of (agent's count - server's count) / server's count, main requests."""
    system: int
    tools: int
    max_tokens: int
    assistant: float
    result: float
    summary_reply: float

    @property
    def per_cycle(self) -> float:
        return self.requests / max(1, self.cycles)


def measure(scenario: Scenario, window: Window, tool_mode: bool) -> Figures:
    responder = Responder(scenario.actions)
    cycles = len(scenario.actions)
    with (
        TimedServer([responder], loop=True, context_window=window.window) as server,
        run_folder(scenario.files) as folder,
    ):
        env = agent_env(
            server,
            tool_mode=tool_mode,
            FAST_LLM_MODEL=window.model,
            FAST_TOKEN_LIMIT=str(window.limit),
        )
        run = run_agent(folder, env, "-c", "-l", str(cycles + 10), "-y", "--gpt3only")
        records = list(server.requests)
        overflows = server.overflows
    kinds = ["summary" if is_summary(r) else "main" for r in records]
    main = [r for r, k in zip(records, kinds, strict=True) if k == "main"]
    prompts = [r.prompt_tokens or 0 for r in main]
    prefixes = [prefix_tokens(r.messages) for r in records]
    main_prefixes = [p for p, k in zip(prefixes, kinds, strict=True) if k == "main"]
    counted = [e for e in run.events("request") if e.get("purpose") != "summary"]
    over = [
        (e["counted_tokens"] - r.prompt_tokens) / r.prompt_tokens
        for e, r in zip(counted, main, strict=False)
        if r.prompt_tokens
    ]
    ended = run.events("end")
    first = main[0] if main else None
    model = window.model
    assistants = [
        count_messages([m], model) - 3
        for r in main[-1:]
        for m in r.messages
        if m.get("role") == "assistant"
    ]
    results = [
        count_messages([m], model) - 3
        for r in main[-1:]
        for m in r.messages[2:-1]
        if m.get("role") in ("user", "tool")
    ]
    summaries = [
        e.get("completion_tokens", 0)
        for e in run.events("request")
        if e.get("purpose") == "summary"
    ]
    return Figures(
        scenario=scenario.name,
        window=window.name,
        mode="tools" if tool_mode else "JSON",
        exit_code=run.returncode,
        cycles=ended[-1].get("cycles", len(main)) if ended else len(main),
        requests=len(records),
        summaries=kinds.count("summary"),
        corrections=responder.corrections,
        mean_prompt=statistics.mean(prompts) if prompts else 0.0,
        max_prompt=max(prompts, default=0),
        first_prompt=prompts[0] if prompts else 0,
        cache_any=share_equal(prefixes),
        cache_main=share_equal(main_prefixes),
        cache_all_pairs=share_equal(main_prefixes, cacheable_only=False),
        overflows=overflows,
        counted_over=statistics.mean(over) if over else 0.0,
        system=count_messages(first.messages[:1], model) - 3 if first else 0,
        tools=count_tools(first.tools, model) if first else 0,
        max_tokens=(first.body.get("max_tokens") or 0) if first else 0,
        assistant=statistics.mean(assistants) if assistants else 0.0,
        result=statistics.mean(results) if results else 0.0,
        summary_reply=statistics.mean(summaries) if summaries else 0.0,
    )


# --- report -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=30, help="cycles of the research run")
    parser.add_argument(
        "--only",
        nargs="*",
        metavar="WINDOW-MODE",
        help="e.g. 4k-json 128k-tools (default: every window and mode)",
    )
    args = parser.parse_args(argv)

    runs: list[tuple[Scenario, Window, bool]] = []
    for scenario in (research_run(args.cycles), writing_run()):
        for window in WINDOWS:
            for tool_mode in (False, True):
                key = f"{window.name}-{'tools' if tool_mode else 'json'}"
                if args.only and key not in args.only:
                    continue
                if scenario.name.endswith("writing") and window.name != "4k":
                    continue  # the reference case is the 4k window
                runs.append((scenario, window, tool_mode))

    results = []
    for scenario, window, tool_mode in runs:
        print(
            f"running {scenario.name}, {window.name} ({window.model}), "
            f"{'tool calls' if tool_mode else 'JSON replies'}...",
            file=sys.stderr,
            flush=True,
        )
        results.append(measure(scenario, window, tool_mode))

    rows = []
    for f in results:
        prompt_target = f.scenario.endswith("writing") and f.window == "4k"
        rows.append(
            [
                f"{f.scenario} {f.window} {f.mode}",
                f.exit_code,
                f.cycles,
                f.requests,
                f.summaries,
                f.corrections,
                f"{f.per_cycle:.2f} {verdict(f.per_cycle <= REQUESTS_TARGET)}",
                f"{f.mean_prompt:,.0f}"
                + (f" {verdict(f.mean_prompt <= PROMPT_TARGET)}" if prompt_target else ""),
                f"{f.max_prompt:,}"
                + (f" {verdict(f.max_prompt <= PROMPT_TARGET)}" if prompt_target else ""),
                f"{f.first_prompt:,}",
                f"{f.cache_any:.2f} {verdict(f.cache_any >= CACHE_TARGET)}",
                f"{f.cache_main:.2f} {verdict(f.cache_main >= CACHE_TARGET)}",
                f"{f.cache_all_pairs:.2f}",
                f"{f.overflows} {verdict(f.overflows == 0)}",
                f"{f.counted_over:+.1%}",
            ]
        )
    print(
        table(
            rows,
            [
                "run",
                "exit",
                "cycles",
                "requests",
                "summaries",
                "corrections",
                "req/cycle",
                "mean prompt",
                "max prompt",
                "1st prompt",
                "cache: prev req",
                "cache: prev main",
                "all pairs",
                "overflows",
                "our count",
            ],
        )
    )
    print(
        f"Targets: req/cycle <= {REQUESTS_TARGET}; mean and max prompt tokens per main call "
        f"<= {PROMPT_TARGET:,} on the 11-cycle 4k writing run (Auto-GPT v0.3.0: 2 requests "
        f"per cycle, ~2,000 tokens); first {CACHE_PREFIX:,} tokens equal to the previous "
        f"request's >= {CACHE_TARGET} (over pairs of requests of {CACHE_PREFIX:,} tokens or "
        "more; 'all pairs': every pair of main requests); overflows 0. Prompt tokens as the "
        "server counts them (main calls); 'our count' is how far the agent's own count is "
        "above the server's."
    )
    print("\nWhere the tokens go (server's count; turns as carried by the last main request)")
    print(
        table(
            [
                [
                    f"{f.scenario} {f.window} {f.mode}",
                    f"{f.system:,}",
                    f"{f.tools:,}",
                    f"{f.max_tokens:,}",
                    f"{f.assistant:,.0f}",
                    f"{f.result:,.0f}",
                    f"{f.summary_reply:,.0f}" if f.summaries else "-",
                ]
                for f in results
            ],
            [
                "run",
                "system msg",
                "tool schemas",
                "max_tokens",
                "assistant msg",
                "result msg",
                "summary",
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
