"""The loop over cycles: the continuous limit, stop reasons, and the end of a run.

No parsing and no printing. Every way a run ends becomes an :class:`Outcome` with an exit code,
recorded (``Ended``) before the function returns; only our own bugs escape as exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from autogpt import shutdown
from autogpt.agent.cycle import Agent
from autogpt.agent.events import Notice
from autogpt.agent.outcome import Outcome, OutcomeKind
from autogpt.agent.state import RunState
from autogpt.errors import (
    EXIT_FINISHED,
    EXIT_INTERRUPTED,
    EXIT_STOPPED,
    ModelRejected,
    ModelUnavailable,
    RunStopped,
)
from autogpt.events import Ended

log = logging.getLogger(__name__)

EXIT_CODES = {
    "finished": EXIT_FINISHED,
    "user_exit": EXIT_FINISHED,
    "interrupted": EXIT_INTERRUPTED,
}


def run(
    agent: Agent,
    *,
    continuous_limit: int = 0,
    window_start: int = 0,
    on_cycle_end: Callable[[], None] | None = None,
    session: str = "",
    report: str = "",
) -> tuple[Outcome, int]:
    """Run cycles until something ends the run; returns the outcome and the exit code.

    The continuous limit counts cycles from ``window_start``: 0 for a new session, the cycle a
    resume started at when the last run ended at its limit (a fresh window)."""
    state = agent.state
    exit_code: int | None = None
    try:
        while True:
            if continuous_limit and state.cycle - window_start >= continuous_limit:
                outcome = Outcome("limit", f"Continuous limit of {continuous_limit} reached")
                break
            with shutdown.raising():  # a stop ends a cycle; between cycles it waits
                outcome = agent.step()
            if on_cycle_end:
                on_cycle_end()
            if outcome.kind != "continue":
                break
    except ModelUnavailable as exc:
        outcome = Outcome("model_unavailable", exc.message)
    except ModelRejected as exc:
        outcome = Outcome("error", exc.message)
        exit_code = exc.exit_code
    except RunStopped as exc:
        kind: OutcomeKind = "budget" if exc.reason == "budget" else "error"
        outcome = Outcome(kind, exc.message)
    except EOFError:
        outcome = Outcome("input_closed", "Input closed (end of file); the run is saved.")
    except KeyboardInterrupt as exc:
        # Ctrl-C, or a stop that says what it was (the server stopping under a task)
        why = str(exc).strip().capitalize() if type(exc) is not KeyboardInterrupt else ""
        outcome = Outcome("interrupted", f"{why or 'Interrupted by Ctrl-C'}; the run is saved.")
        if shutdown.received() is None:
            agent.show(Notice("Interrupted.", "warn"))
    stop = shutdown.received()
    if stop is not None and outcome.kind in ("interrupted", "input_closed"):
        # SIGTERM, SIGHUP, stdout closed: the stop of Ctrl-C, its own status (a closed terminal
        # also ends the input: the hang-up is what happened)
        outcome = Outcome(stop.kind, stop.reason)  # type: ignore[arg-type]
        exit_code = stop.exit_code
    if exit_code is None:
        exit_code = EXIT_CODES.get(outcome.kind, EXIT_STOPPED)
    agent.record(ended(state, outcome, exit_code, session=session, report=report))
    return outcome, exit_code


def ended(state: RunState, outcome: Outcome, exit_code: int, *, session: str, report: str) -> Ended:
    """The run-ended event: how, with which exit status, after how many cycles, at what cost."""
    usage = state.costs.per_model.values()
    return Ended(
        status=outcome.kind,
        reason=outcome.reason,
        exit_code=exit_code,
        cycles=state.cycle,
        cost_usd=round(state.costs.total, 6),
        tokens={
            "prompt": sum(u.prompt_tokens for u in usage),
            "completion": sum(u.completion_tokens for u in usage),
        },
        session=session,
        report=report,
    )
