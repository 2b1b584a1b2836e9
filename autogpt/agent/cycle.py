"""One cycle: context -> ask -> parse -> authorize -> dispatch -> record. Returns an Outcome.

No printing (display updates go to ``show``), no input() (answers come from ``ask``), no openai.
What happened is emitted as events (``autogpt/events.py``) through ``record``: the run state
changes only by them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from autogpt import events as ev
from autogpt.agent.approval import Approval, PermissionPolicy
from autogpt.agent.authorize import Authorizer, Decision
from autogpt.agent.correction import MAX_CORRECTIONS, correction_messages, refuse_cut_writes
from autogpt.agent.events import Notice, ProposalShown, ResultShown, Show, Thinking
from autogpt.agent.fitting import ContextFitter, MemoryHooks
from autogpt.agent.model_calls import ModelCalls, NoRoomForReply
from autogpt.agent.outcome import Outcome
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import CommandResult, Registry
from autogpt.errors import ReplyError, RunStopped
from autogpt.llm.client import ContextOverflow, ToolsRejected
from autogpt.llm.quirks import passes_reasoning_back
from autogpt.llm.types import ChatReply
from autogpt.prompt.turns import KEPT_CALLS, bounded_calls, unusable_text
from autogpt.reply.parser import Proposal, parse_reply

log = logging.getLogger(__name__)

OVERFLOW_SHRINK = 0.8
MAX_REASONING_CHARS = 20000

Ask = Callable[[str], str]


class Agent:
    def __init__(
        self,
        *,
        ai_name: str,
        system_for: Callable[[bool], str],
        calls: ModelCalls,
        registry: Registry,
        ctx: CommandContext,
        record: Callable[[ev.RunEvent], None],
        authorizer: Authorizer,
        show: Show,
        ask: Ask,
        memory: MemoryHooks | None = None,
        permissions: PermissionPolicy | None = None,
        redact: Callable[[str], str] = str,
    ) -> None:
        self.ai_name = ai_name
        self.redact = redact
        """Scrubs the run's secrets (API keys, proxy passwords) from a command's result before
        the user or the model sees it: a file or a tool may hold one."""
        self.calls = calls
        self.state = calls.state
        self.registry = registry
        self.ctx = ctx
        self.record = record
        self.authorizer = authorizer
        self.show = show
        self.ask = ask
        self.memory = memory or MemoryHooks()
        self.fitter = ContextFitter(
            system_for=system_for, calls=calls, record=record, state=self.state, memory=self.memory
        )
        self.approval = Approval(  # permission rules, then the user (agent/approval.py)
            policy=permissions or PermissionPolicy(),
            authorizer=authorizer,
            ask=ask,
            show=show,
            record=record,
            state=self.state,
            ai_name=ai_name,
            arg_names=registry.arg_names,
            root=ctx.workspace.root,
            origin_of=lambda command: getattr(registry.get(command), "origin", None),
        )

    # --- one cycle -------------------------------------------------------------------------
    def step(self) -> Outcome:
        shrink = 1.0
        while True:
            try:
                messages = self.fitter.messages(shrink, self._tools())
                reply, proposal, error = self._ask_until_usable(messages)
                break
            except ToolsRejected as exc:
                self.record(ev.ToolModeChanged(enabled=False, reason=str(exc)[:200]))
                self.show(
                    Notice(
                        "The endpoint does not accept tool calls; using the JSON reply "
                        "format for the rest of the run.",
                        "warn",
                    )
                )
            except ContextOverflow as exc:
                if exc.window and self.calls.narrow(exc.window):
                    self.ctx.result_budget_tokens = self.calls.limits.result_tokens
                    continue  # the endpoint stated its window (a quirk, kept): fit into it
                if shrink < 1.0:
                    raise RunStopped(_too_long(exc), reason="context overflow") from None
                if not isinstance(exc, NoRoomForReply):
                    log.error("BUG: context length exceeded despite the budget: %s", exc)
                    self.show(
                        Notice(
                            "The model said the request was too long (a counting bug); "
                            "shrinking the history and retrying once.",
                            "warn",
                        )
                    )
                shrink = OVERFLOW_SHRINK
        cycle = self.state.cycle + 1
        if proposal is None:
            self.record(
                ev.ReplyUnusable(
                    cycle=cycle,
                    text=unusable_text(reply.text),
                    tool_calls=_calls(reply.tool_calls[:KEPT_CALLS]),
                    error=str(error),
                )
            )
            self.show(
                Notice(
                    f"The model's reply could not be used after {MAX_CORRECTIONS} "
                    f"corrections: {error}",
                    "warn",
                )
            )
            return Outcome("continue")
        self.record(_reply_event(cycle, reply, proposal))
        self.show(ProposalShown(self.ai_name, proposal))
        decision = self.approval.authorize(proposal)
        if decision.kind == "exit":
            self.record(ev.UserExited(cycle=cycle))
            return Outcome("user_exit", "you chose to exit")
        if decision.kind == "feedback":
            self.record(ev.Feedback(cycle=cycle, text=decision.text))
            self.show(Notice(f"Feedback noted: {self.ai_name} gets it with the next request."))
            return Outcome("continue")
        return self._run_command(proposal, decision)

    # --- context -------------------------------------------------------------------------
    def _tools(self) -> list[dict[str, Any]] | None:
        if not self.state.tool_mode:
            return None
        return [spec.tool() for spec in self.registry.available(self.ctx)]

    # --- asking --------------------------------------------------------------------------
    def _ask_until_usable(
        self, messages: list[dict[str, Any]]
    ) -> tuple[ChatReply, Proposal | None, ReplyError | None]:
        commands = self.registry.arg_names()
        current = messages
        for attempt in range(MAX_CORRECTIONS + 1):
            purpose = "main" if attempt == 0 else "correction"
            reply = self.calls.main(current, self._tools(), purpose)
            try:
                proposal = parse_reply(reply.text, reply.tool_calls, commands=commands)
                refuse_cut_writes(reply, proposal)
                return reply, proposal, None
            except ReplyError as exc:
                error = exc
            if attempt == MAX_CORRECTIONS:
                break
            self.record(ev.CorrectionAsked(cycle=self.state.cycle + 1, error=str(error)))
            self.show(Notice(f"Unusable reply ({error}); asking the model to correct it.", "warn"))
            current = correction_messages(messages, reply, error, self.state.tool_mode)
        return reply, None, error

    # --- running and recording -----------------------------------------------------------
    def _run_command(self, proposal: Proposal, decision: Decision) -> Outcome:
        cycle = self.state.cycle
        authorization = decision.text or f"y -{decision.count}"
        self.record(
            ev.CommandStarted(cycle=cycle, command=proposal.command, authorization=authorization)
        )
        started = time.monotonic()
        if decision.kind == "denied":  # a permission rule refused it (agent/approval.py)
            result = CommandResult(proposal.command, f"Error: {decision.text}", ok=False)
        else:
            self.show(Thinking(True, f"Running {proposal.command}..."))
            result = self.registry.dispatch(proposal.command, proposal.args, self.ctx)
        duration = time.monotonic() - started
        text = self.redact(self._fit_result(result))
        self.show(ResultShown(result.name, self.redact(result.shown or text), result.ok))
        content = f"Command {proposal.command} returned: {text}"
        error = None if result.ok else text[:300]
        verdict = self.state.stuck.peek(proposal.command, proposal.args, error)
        if verdict.nudge:
            content += f"\n\n{verdict.nudge}"
            self.show(Notice(verdict.nudge, "warn"))
        self.record(
            ev.CommandFinished(
                cycle=cycle,
                command=proposal.command,
                ok=result.ok,
                result=content,
                error=error,
                duration=round(duration, 3),
            )
        )
        if self.memory.remember and result.ok and result.finish is None:
            self.memory.remember(content, "result")
        if result.finish is not None:
            return Outcome("finished", result.finish.reason)
        if verdict.stop:
            return Outcome("stuck", verdict.stop)
        return Outcome("continue")

    def _fit_result(self, result: CommandResult) -> str:
        """The one cut of a result: to the result budget of the limits."""
        budget = self.calls.limits.result_tokens
        text = result.text
        total = self.calls.counter.text(text)
        if total <= budget:
            return text
        keep = int(len(text) * budget / total * 0.9)
        return (
            text[:keep] + f"\n[Result cut to fit the context: {keep} of {len(text)} "
            "characters shown. Ask for less at a time, e.g. read_file with offset and limit.]"
        )


def _reply_event(cycle: int, reply: ChatReply, proposal: Proposal) -> ev.ReplyParsed:
    t = proposal.thoughts
    others = [c for c in reply.tool_calls[:KEPT_CALLS] if c.id != proposal.tool_call_id]
    return ev.ReplyParsed(
        cycle=cycle,
        thoughts={
            "text": t.text,
            "reasoning": t.reasoning,
            "plan": list(t.plan),
            "criticism": t.criticism,
            "speak": t.speak,
        },
        command=proposal.command,
        args=proposal.args,
        tool_call_id=proposal.tool_call_id,
        reasoning=_reasoning_kept(reply, proposal),
        other_calls=_calls(others),
        notes=list(proposal.notes),
    )


def _too_long(exc: ContextOverflow) -> str:
    if isinstance(exc, NoRoomForReply):
        return (
            f"The token limit is too small for this run: {exc}. Raise FAST_TOKEN_LIMIT (or "
            "SMART_TOKEN_LIMIT with --gpt4only), up to the model's window."
        )
    return f"The model rejected the request as too long twice: {exc}"


def _reasoning_kept(reply: ChatReply, proposal: Proposal) -> str:
    """The reply's reasoning, where the provider wants it back on a tool-call turn."""
    if reply.reasoning and proposal.tool_call_id and passes_reasoning_back(reply.model):
        return reply.reasoning[:MAX_REASONING_CHARS]
    return ""


def _calls(calls: Any) -> list[ev.Call]:
    return [ev.Call(id=c.id, name=c.name, arguments=c.arguments) for c in bounded_calls(calls)]
