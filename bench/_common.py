"""Shared by the bench scripts: a timed scripted server, a throw-away run folder, the agent.

The agent runs as a user runs it (``python -m autogpt -c -l N -y --gpt3only`` in a folder holding
``ai_settings.yaml``) against ``tests.support.model_server.ModelServer``; a :class:`Responder` (one
callable step, the server looping on it) answers main requests with the next scripted command and
summary requests with a short summary, so the script never runs out whatever the agent asks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from tests.support.model_script import (  # noqa: E402
    RequestRecord,
    Step,
    autogpt_reply,
    message_text,
    reply,
    tool_call_reply,
)
from tests.support.model_server import ModelServer  # noqa: E402
from tests.support.token_count import tiktoken_cache_dir  # noqa: E402

PYTHON = sys.executable
TIKTOKEN_DIR = tiktoken_cache_dir() or str(REPO.parent / "shared" / "tiktoken")
os.environ.setdefault("TIKTOKEN_CACHE_DIR", TIKTOKEN_DIR)

SUMMARY_SYSTEM_PREFIX = "You keep the running memory"
CORRECTION_MARK = "could not be used"

PROFILE = {
    "ai_name": "ResearchGPT",
    "ai_role": "an AI that researches the European ice-cream market and writes a concise, "
    "well-sourced market report for a small producer.",
    "ai_goals": [
        "Read the source notes in the workspace and extract the key figures.",
        "Write one report section per source into the notes folder.",
        "Keep every figure traceable to its source file.",
        "Finish with task_complete when every section is written.",
    ],
    "api_budget": 0.0,
}

# Settings the agent reads from the environment; cleared so the caller's shell cannot skew a run.
_CLEARED = (
    "OPENAI_",
    "FAST_",
    "SMART_",
    "MEMORY_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "API_BUDGET",
    "AI_SETTINGS_FILE",
    "WORKSPACE_PATH",
    "TEMPERATURE",
    "AUTOGPT_",
)


# --- the server -------------------------------------------------------------------------------
class TimedServer(ModelServer):
    """The scripted server, noting when each request's handling started and ended (monotonic).

    Handling starts once the request body is read and ends once the response is written; the
    agent's own time is wall time minus these intervals.
    """

    def __init__(self, steps: Sequence[Step], **options: Any) -> None:
        self.handled: list[tuple[str, float, float]] = []
        super().__init__(steps, **options)

    def handle(self, handler: Any, body: Any) -> None:
        started = time.monotonic()
        try:
            super().handle(handler, body)
        finally:
            self.handled.append((handler.path, started, time.monotonic()))

    @property
    def chat_handled(self) -> list[tuple[float, float]]:
        return [(a, b) for path, a, b in self.handled if path.endswith("/chat/completions")]


def is_summary(record: RequestRecord) -> bool:
    messages = record.messages
    first = message_text(messages[0]) if messages else ""
    return not record.tools and first.startswith(SUMMARY_SYSTEM_PREFIX)


def is_correction(record: RequestRecord) -> bool:
    return any(
        m.get("role") in ("user", "tool")
        and CORRECTION_MARK in message_text(m)
        and "Your last reply" in message_text(m)
        for m in record.messages[-3:]
    )


@dataclass
class Action:
    command: str
    args: dict[str, Any]
    thoughts: dict[str, str] = field(default_factory=dict)


class Responder:
    """One callable step: the next action for a main request, a summary for a summary request.

    A correction request gets the same action again; past the last action, ``task_complete``.
    Replies use the Auto-GPT JSON format, or a native tool call when the request carries tools.
    """

    __name__ = "responder"

    def __init__(
        self, actions: Sequence[Action], on_request: Callable[[RequestRecord], None] | None = None
    ) -> None:
        self.actions = list(actions)
        self.next = 0
        self.last: Action | None = None
        self.summaries = 0
        self.corrections = 0
        self.on_request = on_request

    def __call__(self, record: RequestRecord) -> Step:
        if self.on_request:
            self.on_request(record)
        if is_summary(record):
            self.summaries += 1
            return reply(summary_text(message_text(record.messages[-1])))
        if is_correction(record) and self.last is not None:
            self.corrections += 1
            action = self.last
        elif self.next < len(self.actions):
            action = self.actions[self.next]
            self.next += 1
        else:
            action = Action("task_complete", {"reason": "all goals are done"})
        self.last = action
        thoughts = thoughts_for(action)
        if record.tools:
            return tool_call_reply(
                action.command,
                action.args,
                text=json.dumps({"thoughts": thoughts}, ensure_ascii=False),
            )
        return autogpt_reply(action.command, action.args, **thoughts)


def thoughts_for(action: Action) -> dict[str, str]:
    """Thoughts of a realistic length (~90 words, as gpt-3.5 writes them), naming the action."""
    target = action.args.get("filename") or action.args.get("directory") or "the workspace"
    defaults = {
        "text": f"The next useful step is {action.command} on {target}, so that the report "
        "keeps moving forward with figures I can trace back to their source.",
        "reasoning": f"Using {action.command} now gives me the material for the next section "
        "without repeating work; the earlier sections are already saved to files.",
        "plan": f"- {action.command} {target}\n- note the key figures and their source\n"
        "- write or extend the matching section\n- move on to the next source",
        "criticism": "I should avoid re-reading files I have already summarised and keep each "
        "section short and factual.",
        "speak": f"I will now run {action.command} on {target}.",
    }
    return {**defaults, **action.thoughts}


_FILE_NAME = re.compile(r"[\w./-]+\.(?:txt|md|csv)")


def summary_text(request_text: str) -> str:
    """A plausible running summary: the previous one plus the files named in the new events,
    kept under ~150 words as a model told "at most 200 words" would."""
    previous, _, events = request_text.partition("New events:")
    previous = previous.replace("Current summary:", "").strip()
    if previous.startswith("(nothing"):
        previous = ""
    files = list(dict.fromkeys(_FILE_NAME.findall(events)))
    sentence = f"I worked on {', '.join(files[:8])}" if files else "I looked around the workspace"
    text = (
        f"{previous} {sentence}; the figures are saved in the notes folder and the remaining "
        "sources are still to be read and written up.".strip()
    )
    words = text.split()
    return " ".join(words[-150:])


# --- run folders and the agent ----------------------------------------------------------------
@contextmanager
def run_folder(
    files: dict[str, str] | None = None,
    profile: dict[str, Any] | None = None,
) -> Iterator[Path]:
    """A temporary working folder with ``ai_settings.yaml`` and workspace files; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="autogpt-bench-"))
    try:
        (folder / "ai_settings.yaml").write_text(
            yaml.safe_dump(profile or PROFILE, allow_unicode=True), encoding="utf-8"
        )
        workspace = folder / "auto_gpt_workspace"
        workspace.mkdir()
        for name, text in (files or {}).items():
            path = workspace / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def agent_env(
    server: ModelServer | None,
    *,
    tool_mode: bool = False,
    **extra: str,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    env.update(
        {
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "MEMORY_BACKEND": "no_memory",
            "OPENAI_FUNCTIONS": "true" if tool_mode else "false",
            "OPENAI_API_KEY": "sk-test",
            "TIKTOKEN_CACHE_DIR": TIKTOKEN_DIR,
            # The figures' model and limit since before the defaults became current (issue I);
            # a figure for another model passes its own.
            "FAST_LLM_MODEL": "gpt-3.5-turbo",
            "FAST_TOKEN_LIMIT": "4000",
        }
    )
    if server is not None:
        env["OPENAI_API_BASE"] = server.base_url
    env.update(extra)
    return env


@dataclass
class AgentRun:
    returncode: int
    stdout: str
    stderr: str
    started: float
    """monotonic, just before the process was spawned"""
    ended: float
    """monotonic, once it exited"""
    journal: list[dict[str, Any]]

    @property
    def wall(self) -> float:
        return self.ended - self.started

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.journal if e.get("type") == kind]

    def check(self, *expected: int) -> None:
        if self.returncode not in (expected or (0,)):
            tail = (self.stdout + self.stderr)[-2000:]
            raise SystemExit(f"the agent exited with {self.returncode}:\n{tail}")


def run_agent(folder: Path, env: dict[str, str], *flags: str, timeout: float = 600) -> AgentRun:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "autogpt", *flags],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    ended = time.monotonic()
    return AgentRun(done.returncode, done.stdout, done.stderr, started, ended, read_journal(folder))


def read_journal(folder: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in sorted((folder / ".autogpt" / "sessions").glob("*/journal.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


# --- timing and printing ------------------------------------------------------------------------
def wall_time(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> float:
    started = time.monotonic()
    subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return time.monotonic() - started


def median_time(argv: Sequence[str], repeat: int, **options: Any) -> float:
    wall_time(argv, **options)  # warm the page cache and the .pyc files
    return statistics.median(wall_time(argv, **options) for _ in range(repeat))


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
