"""The state of a run, changed only by applying its events.

``RunState.apply`` is the one writer: the live run applies each event as the recorder journals
it, and ``--resume`` replays the journal through the same method, so a resumed run has the state
the uninterrupted run had, and its first request is the one that run would have sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autogpt import events as ev
from autogpt.agent.budget import CostTracker
from autogpt.agent.stuck import StuckDetector
from autogpt.llm.quirks import Quirks
from autogpt.prompt.context import TurnView
from autogpt.prompt.helper_chats import HelperChat, HelperChats
from autogpt.prompt.turns import Call, Turn, bounded_calls, brief, compact, unusable_text
from autogpt.reply.parser import Proposal, Thoughts

INTERRUPTED = (
    "Command {name} was interrupted before it finished (the run was stopped); it may have "
    "partly run. Check its effects before running it again."
)
UNUSABLE = "Your reply could not be used: {error}"
FEEDBACK = "Human feedback: {text}"


@dataclass
class RunState:
    cycle: int = 0
    """Model replies acted on (each counts toward the continuous limit, an unusable one too)."""
    turns: list[Turn] = field(default_factory=list)
    pending: Turn | None = None
    """This cycle's parsed reply, until its command finished or the user answered."""
    running: str | None = None
    """The command started and not yet finished (a resume tells the model it was cut short)."""
    summary: str | None = None
    summarized_upto: int = 0
    """Turns before this index are folded into ``summary``."""
    compacted_upto: int = 0
    """Turns before this index are shown in their short form (``prompt/turns.py``)."""
    costs: CostTracker = field(default_factory=CostTracker)
    tool_mode: bool = False
    quirks: dict[str, Any] = field(default_factory=dict)
    """What the endpoint was found to refuse (``llm/quirks.py``, ``Quirks.to_dict``)."""
    stuck: StuckDetector = field(default_factory=StuckDetector)
    corrections: int = 0
    """Corrective requests sent after unusable replies, over the run."""
    started: float = 0.0
    profile: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    window_start: int = 0
    """The cycle the current run's continuous-limit window began at."""
    last_outcome: str | None = None
    """How the last run ended (None: still running, or killed before it could say)."""
    end_reason: str = ""
    interrupted_command: str | None = None
    granted: list[str] = field(default_factory=list)
    """Permission rules the user granted at the prompt (``a``), for the rest of the session."""
    helpers: HelperChats = field(default_factory=HelperChats)
    """The live helper agents (``start_agent``), their conversations as they are sent."""

    @property
    def finished(self) -> bool:
        return self.last_outcome == "finished"

    def view(self) -> list[TurnView]:
        """The live turns as the prompt shows them: old ones compacted, recent ones brief."""
        return [
            compact(t) if i < self.compacted_upto else brief(t)
            for i, t in enumerate(self.turns)
            if i >= self.summarized_upto
        ]

    def apply(self, event: ev.RunEvent) -> None:  # noqa: C901  (one branch per event type)
        if isinstance(event, ev.RequestAccounted):
            self.costs.add(
                event.model,
                event.prompt_tokens,
                event.completion_tokens,
                event.cost,
                purpose=event.purpose,
                cached=event.cached_tokens,
            )
        elif isinstance(event, ev.ReplyParsed):
            self.cycle = event.cycle
            calls = _calls(event.other_calls)
            turn = Turn(event.cycle, _proposal(event), "", calls=calls, reasoning=event.reasoning)
            self.pending = turn
        elif isinstance(event, ev.ReplyUnusable):
            self.cycle = event.cycle
            text = unusable_text(event.text)
            calls = bounded_calls(_calls(event.tool_calls))
            told = UNUSABLE.format(error=event.error)
            self.turns.append(Turn(event.cycle, None, told, text=text, calls=calls))
        elif isinstance(event, ev.Feedback):
            self._close(FEEDBACK.format(text=event.text))
        elif isinstance(event, ev.CommandStarted):
            self.running = event.command
        elif isinstance(event, ev.CommandFinished):
            args = self.pending.proposal.args if self.pending and self.pending.proposal else {}
            self.stuck.observe(event.command, args, event.error)
            self._close(event.result)
        elif isinstance(event, ev.PermissionGranted):
            self.granted.append(event.rule)
        elif isinstance(event, ev.UserExited):
            self.pending = None
        elif isinstance(event, ev.CorrectionAsked):
            self.corrections += 1
        elif isinstance(event, ev.Compacted):
            self.compacted_upto = event.upto
        elif isinstance(event, ev.SummaryFolded):
            self.summary = event.summary
            self.summarized_upto = event.upto
        elif isinstance(event, ev.ToolModeChanged):
            self.tool_mode = event.enabled
            self.options["tool_mode"] = event.enabled
        elif isinstance(event, ev.QuirkLearnt):
            quirks = Quirks.from_dict(self.quirks)
            quirks.learn(event.name, event.value)
            self.quirks = quirks.to_dict()
        elif isinstance(event, (ev.HelperStarted, ev.HelperReplied, ev.HelperDeleted)):
            _apply_helper(self.helpers, event)
        elif isinstance(event, (ev.Started, ev.Resumed)):
            self._begin(event)
        elif isinstance(event, ev.Ended):
            if event.status == "stuck":  # resumed by choice: the model gets its nudge anew
                self.stuck = StuckDetector()
            self.last_outcome = event.status
            self.end_reason = event.reason

    def settle(self) -> None:
        """After a replay: a command cut short by the stop becomes a turn that says so; a reply
        the user never answered is dropped (the resumed run asks the model again)."""
        if self.pending is not None and self.running is not None:
            self.interrupted_command = self.running
            self._close(INTERRUPTED.format(name=self.running))
        elif self.pending is not None:
            self.cycle = self.pending.cycle - 1
            self.pending = None

    def _close(self, result: str) -> None:
        if self.pending is not None:
            self.pending.result = result
            self.turns.append(self.pending)
        self.pending = None
        self.running = None

    def _begin(self, event: ev.Started | ev.Resumed) -> None:
        if isinstance(event, ev.Started):
            self.profile = dict(event.profile)
            self.options = dict(event.options)
            self.tool_mode = bool(self.options.get("tool_mode"))
            self.started = event.ts
        else:
            self.options = {**self.options, **event.options}
            self.window_start = event.window_start
            self.last_outcome = None
        self.costs.budget = float(self.options.get("budget") or 0.0)


def _apply_helper(
    helpers: HelperChats, event: ev.HelperStarted | ev.HelperReplied | ev.HelperDeleted
) -> None:
    if isinstance(event, ev.HelperStarted):
        helpers.start(HelperChat(event.key, event.name, event.task, event.opening, event.reply))
    elif isinstance(event, ev.HelperReplied):
        helpers.reply(event.key, event.message, event.reply, event.dropped)
    else:
        helpers.delete(event.key)


def _proposal(event: ev.ReplyParsed) -> Proposal:
    t = event.thoughts
    thoughts = Thoughts(
        text=str(t.get("text", "")),
        reasoning=str(t.get("reasoning", "")),
        plan=tuple(str(p) for p in t.get("plan", ()) or ()),
        criticism=str(t.get("criticism", "")),
        speak=str(t.get("speak", "")),
    )
    return Proposal(
        thoughts, event.command, dict(event.args), event.tool_call_id, tuple(event.notes)
    )


def _calls(calls: list[ev.Call]) -> tuple[Call, ...]:
    return tuple(Call(c.id, c.name, c.arguments) for c in calls)
