"""Rebuilds a run from its journal: history, summary, costs, counters, options.

The first request after a resume is the one the uninterrupted run would have sent: the turns are
the messages the journal recorded, word for word. A command with a ``command_start`` but no
``command_end`` is not re-run: its turn says it was interrupted, and the model decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogpt.agent import messages as msgs
from autogpt.agent.budget import CostTracker
from autogpt.agent.state import RunState
from autogpt.agent.stuck import StuckDetector
from autogpt.config.ai_profile import AIProfile
from autogpt.errors import UsageError
from autogpt.journal.journal import JOURNAL, iter_sessions, load_state, read_events, sessions_dir
from autogpt.llm import catalog
from autogpt.llm.quirks import Quirks
from autogpt.prompt.context import Turn

INTERRUPTED = (
    "Command {name} was interrupted before it finished (the run was stopped); it may have "
    "partly run. Check its effects before running it again."
)
FINISHED_OUTCOMES = {"finished"}


@dataclass
class LoadedSession:
    folder: Path
    profile: AIProfile
    options: dict[str, Any]
    state: RunState
    finished: bool = False
    end_reason: str = ""
    torn: bool = False
    interrupted_command: str | None = None
    last_outcome: str | None = None
    """How the last run ended (None: it was killed before it could say)."""
    window_start: int = 0
    """The cycle the last run's continuous-limit window began at."""
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        return self.folder.name


def find_session(data_dir: Path, ident: str) -> Path:
    sessions = list(iter_sessions(data_dir))
    if not sessions:
        raise UsageError(f"No saved sessions under {sessions_dir(data_dir)}.")
    if ident == "latest":
        return sessions[-1]
    matches = [s for s in sessions if s.name == ident] or [
        s for s in sessions if s.name.startswith(ident) or s.name.endswith(ident)
    ]
    if len(matches) != 1:
        raise UsageError(f"No single session matches {ident!r}; see --list-sessions.")
    return matches[0]


def load_session(data_dir: Path, ident: str) -> LoadedSession:
    folder = find_session(data_dir, ident)
    read = read_events(folder / JOURNAL)
    return rebuild(folder, read.events, torn=read.torn)


def rebuild(folder: Path, events: list[dict[str, Any]], *, torn: bool = False) -> LoadedSession:
    start = next((e for e in events if e.get("type") == "session_start"), None)
    if start is None:
        raise UsageError(f"Session {folder.name} has no start record; it cannot be resumed.")
    options = dict(start.get("options", {}))
    state = RunState(tool_mode=bool(options.get("tool_mode")))
    state.costs = CostTracker(budget=float(options.get("budget") or 0.0))
    loaded = LoadedSession(
        folder, AIProfile(**start["profile"]), options, state, torn=torn, events=events
    )
    open_start: dict[str, Any] | None = None
    for event in events:
        kind = event.get("type")
        if kind == "command_start":
            open_start = event
            state.cycle = max(state.cycle, int(event.get("cycle", 0)))
        elif kind in ("command_end", "feedback", "unusable"):
            _add_turn(state, event)
            if kind == "command_end":
                open_start = None
                state.stuck.observe(
                    event.get("command", ""), event.get("args") or {}, event.get("error")
                )
        elif kind == "summary":
            state.summary = event.get("summary")
            state.summarized_upto = int(event.get("summarized_upto", 0))
        elif kind == "compact":
            state.compacted_upto = int(event.get("compacted_upto", 0))
        elif kind == "request":
            _account(state, event)
        elif kind in ("tool_mode", "quirk"):
            _endpoint(state, options, event)
        elif kind == "correction":
            state.corrections += 1
        elif kind == "end":
            _end(loaded, event)
        elif kind == "resumed":
            loaded.finished = False
            loaded.last_outcome = None
            loaded.window_start = int(event.get("window_start", 0))
    if open_start is not None:
        name = open_start.get("command", "?")
        assistant = open_start["assistant"]
        text = INTERRUPTED.format(name=name)
        turn_messages = [assistant, *msgs.result_messages(assistant, text)]
        state.turns.append(Turn(turn_messages, cycle=int(open_start.get("cycle", 0))))
        loaded.interrupted_command = name
    if events:
        state.started = float(events[0].get("ts", 0.0))
    return loaded


def _endpoint(state: RunState, options: dict[str, Any], event: dict[str, Any]) -> None:
    """What the endpoint refused: tools (JSON replies from then on), or a quirk the client
    learnt (``llm/quirks.py``), into the options the client is built with."""
    if event.get("type") == "tool_mode":
        state.tool_mode = bool(event.get("enabled"))
        options["tool_mode"] = state.tool_mode
        return
    learnt = Quirks.from_dict(options.get("quirks") or {})
    learnt.learn(str(event.get("name")), event.get("value"))
    options["quirks"] = learnt.to_dict()


def _account(state: RunState, event: dict[str, Any]) -> None:
    info = catalog.lookup(event.get("model", ""), fallback_window=4096)
    recorded = event.get("cost")  # as priced then (PRICES_FILE, the data of the day)
    state.costs.record(
        info,
        int(event.get("prompt_tokens", 0)),
        int(event.get("completion_tokens", 0)),
        purpose=str(event.get("purpose", "")),
        cached=int(event.get("cached_tokens", 0)),
        dollars=float(recorded) if isinstance(recorded, (int, float)) else None,
    )


def _end(loaded: LoadedSession, event: dict[str, Any]) -> None:
    outcome = event.get("outcome")
    if outcome == "stuck":  # resumed by choice: the model gets its nudge anew
        loaded.state.stuck = StuckDetector()
    loaded.end_reason = event.get("reason", "")
    loaded.finished = outcome in FINISHED_OUTCOMES
    loaded.last_outcome = outcome


def _add_turn(state: RunState, event: dict[str, Any]) -> None:
    state.cycle = max(state.cycle, int(event.get("cycle", 0)))
    state.turns.append(Turn(list(event.get("messages", [])), cycle=int(event.get("cycle", 0))))


def print_sessions(console: Any, data_dir: Path) -> None:
    sessions = list(iter_sessions(data_dir))
    if not sessions:
        console.info(f"No saved sessions under {sessions_dir(data_dir)}.")
        return
    for folder in sessions:
        snap = load_state(folder)
        read = read_events(folder / JOURNAL)
        start = next((e for e in read.events if e.get("type") == "session_start"), {})
        goals = "; ".join(start.get("profile", {}).get("ai_goals", []))[:100]
        name = start.get("profile", {}).get("ai_name", "?")
        console.line(
            f"{folder.name}  {name}  cycles={snap.get('cycle', '?')}  "
            f"status={snap.get('status', '?')}  cost=${float(snap.get('cost', 0)):.4f}"
            f"  goals: {goals}"
        )
