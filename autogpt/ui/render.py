"""THOUGHTS / REASONING / PLAN / CRITICISM / NEXT ACTION, results and the cost line."""

from __future__ import annotations

import json
from typing import Any

from autogpt.agent.events import (
    Authorized,
    CostLine,
    Notice,
    ProposalShown,
    ReasoningShown,
    ResultShown,
    Shown,
    Thinking,
    ThoughtDelta,
)
from autogpt.ui.console import Console
from autogpt.ui.live_thoughts import LiveThoughts

SHOWN_ARG_CHARS = 400
SHOWN_RESULT_CHARS = 1500
SHOWN_THOUGHT_CHARS = 2000  # one thought field on screen; a reply can hold megabytes
SHOWN_PLAN_STEPS = 12


def _shorten(value: Any, limit: int = SHOWN_ARG_CHARS) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + f"... [{len(value)} characters]"
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


def _cached(event: CostLine) -> str:
    """The cached share of the prompt: " (3,200 cached, 80%)", or nothing."""
    if not event.cached_tokens or not event.prompt_tokens:
        return ""
    share = event.cached_tokens / event.prompt_tokens
    return f" ({event.cached_tokens:,} cached, {share:.0%})"


class Renderer:
    """The ``show(event)`` callable the agent is given."""

    def __init__(self, console: Console, *, debug: bool = False) -> None:
        self.console = console
        self.debug = debug
        self._thoughts = LiveThoughts(plain=console.plain)

    def __call__(self, event: Shown) -> None:
        c = self.console
        if isinstance(event, ThoughtDelta):
            self._stream(event)
        elif isinstance(event, Thinking):
            if event.active:
                c.start_spinner(event.label)
            else:
                c.stop_spinner()
            self._thoughts = LiveThoughts(plain=c.plain)
        elif isinstance(event, ProposalShown):
            c.stop_spinner()
            self._proposal(event)
        elif isinstance(event, ResultShown):
            c.stop_spinner()
            text = event.text
            if len(text) > SHOWN_RESULT_CHARS:
                text = text[:SHOWN_RESULT_CHARS] + f"... [{len(event.text)} characters]"
            label = "SYSTEM:" if event.ok else "SYSTEM (command failed):"
            c.labelled(
                label,
                f"Command {event.command} returned: {text}",
                "bold green" if event.ok else "bold red",
            )
        elif isinstance(event, ReasoningShown):
            c.stop_spinner()
            c.dim(f"MODEL REASONING: {_shorten(event.text, SHOWN_THOUGHT_CHARS)}")
        elif isinstance(event, Notice):
            {"warn": c.warn, "error": c.error, "info": c.info}.get(
                event.level, c.dim if self.debug else (lambda _t: None)
            )(event.text)
        elif isinstance(event, CostLine) and event.image:
            budget = f" of ${event.budget:.2f} budget" if event.budget else ""
            c.dim(
                f"Cost: ${event.request_cost:.4f} this image ({event.image}), "
                f"${event.total:.4f} total{budget}"
            )
        elif isinstance(event, CostLine):
            budget = f" of ${event.budget:.2f} budget" if event.budget else ""
            c.dim(
                f"Cost{f' ({event.label})' if event.label else ''}: "
                f"${event.request_cost:.4f} this request, ${event.total:.4f} total"
                f"{budget} | tokens {event.prompt_tokens:,} in{_cached(event)}, "
                f"{event.completion_tokens:,} out"
                f" | {event.requests} request{'s' if event.requests != 1 else ''}"
                + (f" (+{event.embeddings} for memory)" if event.embeddings else "")
            )
        elif isinstance(event, Authorized):
            if event.remaining > 0:
                c.info(
                    f"-=-=-=-=-=-=-= COMMAND AUTHORISED BY USER -=-=-=-=-=-=-= "
                    f"({event.remaining} more without asking)"
                )
            else:
                c.info("-=-=-=-=-=-=-= COMMAND AUTHORISED BY USER -=-=-=-=-=-=-=")

    def _stream(self, event: ThoughtDelta) -> None:
        """The thoughts as they arrive, under the spinner (terminal only; ``live_thoughts``)."""
        if not self.console.live:
            return
        self._thoughts.update(event.text, event.reasoning)
        self._thoughts.width = self.console.out.width
        self.console.preview(self._thoughts, urgent=not self._thoughts.shown_any)

    def _proposal(self, event: ProposalShown) -> None:
        c = self.console
        t = event.proposal.thoughts
        cut = SHOWN_THOUGHT_CHARS
        # A tool call may come with no thoughts at all: no empty labels then, just the action.
        if t.text:
            c.labelled(f"{event.ai_name.upper()} THOUGHTS:", _shorten(t.text, cut), "bold yellow")
        if t.reasoning:
            c.labelled("REASONING:", _shorten(t.reasoning, cut), "bold yellow")
        if t.plan:
            c.labelled("PLAN:", "", "bold yellow")
            for step in t.plan[:SHOWN_PLAN_STEPS]:
                c.line(f"-  {_shorten(step, SHOWN_ARG_CHARS)}", "green")
            if len(t.plan) > SHOWN_PLAN_STEPS:
                c.line(f"-  ... [{len(t.plan) - SHOWN_PLAN_STEPS} more steps]", "green")
        if t.criticism:
            c.labelled("CRITICISM:", _shorten(t.criticism, cut), "bold yellow")
        if t.speak:
            c.labelled("SPEAK:", _shorten(t.speak, cut), "bold yellow")
        args = json.dumps(_shorten(event.proposal.args), ensure_ascii=False)
        c.labelled(
            "NEXT ACTION:", f"COMMAND = {event.proposal.command}  ARGUMENTS = {args}", "bold cyan"
        )
