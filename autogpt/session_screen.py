"""What a session says at its start (the model, the workspace, continuous mode) and at its end
(how it ended, the report, how to resume)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autogpt.agent.limits import Limits
from autogpt.agent.outcome import Outcome
from autogpt.agent.state import RunState
from autogpt.ui.console import Console
from autogpt.workspace import Workspace


def announce(
    console: Console,
    model: str,
    limits: Limits,
    state: RunState,
    workspace: Workspace,
    session_id: str,
    options: Any,
    *,
    window_start: int,
    resumed: bool,
    helper_agents: int = 0,
    features: Sequence[str] = (),
) -> None:
    """``features``: a line each for the commands and options of issue K that are on (cloning,
    speech, images), after the model's and the helper agents'."""
    console.info(
        f"Model: {model} (limit {limits.main_window:,} tokens, "
        f"{'tool calls' if state.tool_mode else 'JSON replies'}); workspace: "
        f"{workspace.root}; session {session_id}"
    )
    console.info(_helper_agents_line(helper_agents, state))
    for line in features:
        console.info(line)
    if options.continuous:
        left = options.continuous_limit - (state.cycle - window_start)
        console.warn(
            "Continuous mode: commands run without asking. Use at your own risk"
            + (
                f"; it stops after {left} {'more ' if resumed else ''}cycles."
                if options.continuous_limit
                else "; no cycle limit (see -l)."
            )
        )


def _helper_agents_line(limit: int, state: RunState) -> str:
    """MAX_HELPER_AGENTS, and the helpers a resumed run brings back."""
    if limit <= 0:
        return "Helper agents: off (MAX_HELPER_AGENTS=0)"
    alive = state.helpers.chats
    running = f"; {len(alive)} running: {state.helpers.describe()}" if alive else ""
    return f"Helper agents: on, at most {limit} at once (MAX_HELPER_AGENTS){running}"


def farewell(console: Console, outcome: Outcome, code: int, *, report: Path, resume: str) -> None:
    console.stop_spinner()
    if outcome.kind == "finished":
        console.info(f"Finished: {outcome.reason}")
    elif code == 0:
        console.info(outcome.reason or outcome.kind)
    else:
        console.warn(f"Stopped ({outcome.kind}): {outcome.reason}")
    console.dim(f"Report: {report}")
    if code != 0 and outcome.kind not in ("user_exit",):
        console.dim(f"Resume with: {resume}")
