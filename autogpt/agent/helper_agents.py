"""Wires the helper agents' door (``CommandContext.helper_agents``) to the run.

Their requests go through the gateway (``ModelCalls.helper``, purpose ``helper_agent``) on the
model the run's flags select (``--gpt4only``: the smart one), so each is budget-checked and
counted like any other; what happens to them is recorded as events, so ``--resume`` restores
them. The commands themselves are in ``commands/agents.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from autogpt.agent.model_calls import ModelCalls
from autogpt.commands.context import HelperAgents
from autogpt.errors import CommandError
from autogpt.events import RunEvent
from autogpt.llm.catalog import is_reasoning_model
from autogpt.llm.client import ContextOverflow
from autogpt.prompt.context import reply_reserve
from autogpt.prompt.helper_chats import Messages


def open_helper_agents(
    calls: ModelCalls, record: Callable[[RunEvent], None], *, limit: int
) -> HelperAgents | None:
    """None when ``limit`` (MAX_HELPER_AGENTS) is 0: the commands are not offered."""
    if limit <= 0:
        return None
    fast = calls.models.fast

    def reserve() -> int:  # the window may narrow during the run (the endpoint stated its own)
        window = calls.limits.fast_window
        return reply_reserve(window, fast.max_output, reasoning=is_reasoning_model(fast.name))

    def ask(messages: Messages) -> str:
        try:
            return calls.helper(messages, reserve(), purpose="helper_agent")
        except ContextOverflow as exc:  # the endpoint counts more than we do, or says its window
            narrowed = bool(exc.window) and calls.narrow(exc.window or 0)
            hint = "its window is kept from now on: try again" if narrowed else "send less"
            raise CommandError(
                f"The model refused the helper's request as too long ({exc}); {hint}."
            ) from None

    return HelperAgents(
        chats=lambda: calls.state.helpers,
        ask=ask,
        count=calls.fast_counter.messages,
        room=lambda: calls.limits.fast_window - reserve(),
        record=record,
        limit=limit,
    )
