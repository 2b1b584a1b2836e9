"""Rebuilds a run from its journal: a replay of its events through ``RunState.apply``.

The first request after a resume is the one the uninterrupted run would have sent, since the
state is the one the run had. A command that started and did not finish is not re-run: its turn
says it was interrupted, and the model decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogpt.agent.state import RunState
from autogpt.config.ai_profile import AIProfile
from autogpt.errors import UsageError
from autogpt.events import RunEvent, Started
from autogpt.journal.journal import JOURNAL, iter_sessions, load_state, read_run, sessions_dir


@dataclass
class LoadedSession:
    folder: Path
    profile: AIProfile
    state: RunState
    torn: bool = False
    events: list[RunEvent] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        return self.folder.name

    @property
    def options(self) -> dict[str, Any]:
        return self.state.options


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
    read = read_run(folder / JOURNAL)
    return rebuild(folder, read.events, torn=read.torn)


def replay(events: Iterable[RunEvent]) -> RunState:
    """The state the run had after these events (a command cut short settled)."""
    state = RunState()
    for event in events:
        state.apply(event)
    state.settle()
    return state


def rebuild(folder: Path, events: list[RunEvent], *, torn: bool = False) -> LoadedSession:
    if not any(isinstance(e, Started) for e in events):
        raise UsageError(f"Session {folder.name} has no start record; it cannot be resumed.")
    state = replay(events)
    try:
        profile = AIProfile(**state.profile)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"Session {folder.name} has a broken start record: {exc}") from None
    return LoadedSession(folder, profile, state, torn=torn, events=events)


def print_sessions(console: Any, data_dir: Path) -> None:
    sessions = list(iter_sessions(data_dir))
    if not sessions:
        console.info(f"No saved sessions under {sessions_dir(data_dir)}.")
        return
    for folder in sessions:
        snap = load_state(folder)
        start = next((e for e in read_run(folder / JOURNAL).events if isinstance(e, Started)), None)
        profile = start.profile if start else {}
        goals = "; ".join(str(g) for g in profile.get("ai_goals", []))[:100]
        name = profile.get("ai_name", "?")
        console.line(
            f"{folder.name}  {name}  cycles={snap.get('cycle', '?')}  "
            f"status={snap.get('status', '?')}  cost=${float(snap.get('cost', 0)):.4f}"
            f"  goals: {goals}"
        )
