"""One cycle: context -> ask -> parse -> authorize -> dispatch -> record. Returns an Outcome.

No printing (events go to ``show``), no input() (answers come from ``ask``), no openai.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from autogpt.agent import messages as msgs
from autogpt.agent.authorize import Authorizer, Decision, parse_answer
from autogpt.agent.correction import MAX_CORRECTIONS, correction_messages, refuse_cut_writes
from autogpt.agent.events import Authorized, Notice, ProposalShown, ResultShown, Show, Thinking
from autogpt.agent.fitting import ContextFitter, Recall, Remember
from autogpt.agent.model_calls import ModelCalls, ModelSetup
from autogpt.agent.outcome import Outcome
from autogpt.agent.state import RunState
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import CommandResult, Registry
from autogpt.errors import ReplyError, RunStopped
from autogpt.journal.journal import Journal
from autogpt.llm.catalog import ModelInfo
from autogpt.llm.client import ContextOverflow, ModelClient, ToolsRejected
from autogpt.llm.types import ChatReply
from autogpt.prompt import context as promptctx
from autogpt.reply.parser import Proposal, parse_reply

log = logging.getLogger(__name__)

RESULT_SHARE = 0.25
OVERFLOW_SHRINK = 0.8

Ask = Callable[[str], str]


class Agent:
    def __init__(
        self,
        *,
        ai_name: str,
        system_for: Callable[[bool], str],
        models: ModelSetup,
        client: ModelClient,
        registry: Registry,
        ctx: CommandContext,
        journal: Journal,
        state: RunState,
        authorizer: Authorizer,
        show: Show,
        ask: Ask,
        authorise_key: str = "y",
        exit_key: str = "n",
        recall: Recall | None = None,
        remember: Remember | None = None,
        memory_share: float = 0.0,
    ) -> None:
        self.ai_name = ai_name
        self.models = models
        self.client = client
        self.registry = registry
        self.ctx = ctx
        self.journal = journal
        self.state = state
        self.authorizer = authorizer
        self.show = show
        self.ask = ask
        self.authorise_key = authorise_key
        self.exit_key = exit_key
        self.recall = recall
        self.remember = remember
        self.memory_share = memory_share
        self.calls = ModelCalls(
            models=models, client=client, journal=journal, state=state, show=show
        )
        self.counter = self.calls.counter
        self.fitter = ContextFitter(
            system_for=system_for,
            calls=self.calls,
            journal=journal,
            state=state,
            show=show,
            memory=self,
        )
        ctx.result_budget_tokens = int(models.main_limit * RESULT_SHARE)
        ctx.count_tokens = self.counter.text

    # --- one cycle -------------------------------------------------------------------------
    def step(self) -> Outcome:
        shrink = 1.0
        while True:
            try:
                messages = self.fitter.messages(shrink, self._tools())
                reply, proposal, error = self._ask_until_usable(messages)
                break
            except ToolsRejected as exc:
                self.state.tool_mode = False
                self.journal.append("tool_mode", enabled=False, reason=str(exc)[:200])
                self.show(
                    Notice(
                        "The endpoint does not accept tool calls; using the JSON reply "
                        "format for the rest of the run.",
                        "warn",
                    )
                )
            except ContextOverflow as exc:
                if exc.window and self.calls.narrow({self.models.main.name: exc.window}):
                    self.models = self.calls.models  # the endpoint's stated window (a quirk)
                    self.ctx.result_budget_tokens = int(self.models.main_limit * RESULT_SHARE)
                    continue
                if shrink < 1.0:
                    raise RunStopped(
                        f"The model rejected the request as too long twice: {exc}",
                        reason="context overflow",
                    ) from None
                log.error("BUG: context length exceeded despite the budget: %s", exc)
                self.show(
                    Notice(
                        "The model said the request was too long (a counting bug); "
                        "shrinking the history and retrying once.",
                        "warn",
                    )
                )
                shrink = OVERFLOW_SHRINK
        self.state.cycle += 1
        assistant = msgs.assistant_message(reply, proposal)
        if proposal is None:
            text = f"Your reply could not be used: {error}"
            self._record("unusable", assistant, text, error=str(error))
            self.show(
                Notice(
                    f"The model's reply could not be used after {MAX_CORRECTIONS} "
                    f"corrections: {error}",
                    "warn",
                )
            )
            return Outcome("continue")
        self.show(ProposalShown(self.ai_name, proposal))
        decision = self._authorize()
        if decision.kind == "exit":
            self.journal.append("user_exit", cycle=self.state.cycle)
            return Outcome("user_exit", "you chose to exit")
        if decision.kind == "feedback":
            self._record("feedback", assistant, f"Human feedback: {decision.text}")
            self.show(Notice(f"Feedback noted: {self.ai_name} gets it with the next request."))
            return Outcome("continue")
        return self._run_command(proposal, assistant, decision)

    # --- context -------------------------------------------------------------------------
    def _tools(self) -> list[dict[str, Any]] | None:
        if not self.state.tool_mode:
            return None
        return [spec.tool() for spec in self.registry.available(self.ctx)]

    # --- asking --------------------------------------------------------------------------
    def ask_helper(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """A helper conversation on the fast model (page answers); see ModelCalls.helper."""
        return self.calls.helper(messages, max_tokens)

    def account_embedding(self, info: ModelInfo, tokens: int) -> None:
        """An embeddings request of long-term memory, in the costs; see ModelCalls.embedding."""
        self.calls.embedding(info, tokens)

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
            self.state.corrections += 1
            self.journal.append("correction", cycle=self.state.cycle + 1, error=str(error))
            self.show(Notice(f"Unusable reply ({error}); asking the model to correct it.", "warn"))
            current = correction_messages(messages, reply, error, self.state.tool_mode)
        return reply, None, error

    # --- authorization -------------------------------------------------------------------
    def _authorize(self) -> Decision:
        if self.authorizer.continuous:
            return Decision("run", 1, text="continuous")
        if not self.authorizer.must_ask():
            self.show(Authorized(self.authorizer.consume()))
            return Decision("run", 1, text="pre-authorised")
        question = (
            f"Enter '{self.authorise_key}' to authorise command, '{self.authorise_key} -N' to run "
            f"N continuous commands, '{self.exit_key}' to exit program, or enter feedback for "
            f"{self.ai_name}..."
        )
        while True:
            decision = parse_answer(
                self.ask(question), authorise_key=self.authorise_key, exit_key=self.exit_key
            )
            if decision.kind != "invalid":
                break
            self.show(Notice(decision.text, "warn"))
        if decision.kind == "run":
            self.authorizer.grant(decision.count)
            self.show(Authorized(self.authorizer.consume()))
        return decision

    # --- running and recording -----------------------------------------------------------
    def _run_command(
        self, proposal: Proposal, assistant: dict[str, Any], decision: Decision
    ) -> Outcome:
        cycle = self.state.cycle
        self.journal.append(
            "command_start",
            cycle=cycle,
            assistant=assistant,
            command=proposal.command,
            args=proposal.args,
            authorization=decision.text or f"y -{decision.count}",
        )
        started = time.monotonic()
        self.show(Thinking(True, f"Running {proposal.command}..."))
        result = self.registry.dispatch(proposal.command, proposal.args, self.ctx)
        duration = time.monotonic() - started
        text = self._fit_result(result)
        self.show(ResultShown(result.name, result.shown or text, result.ok))
        content = f"Command {proposal.command} returned: {text}"
        verdict = self.state.stuck.observe(
            proposal.command, proposal.args, None if result.ok else text[:300]
        )
        if verdict.nudge:
            content += f"\n\n{verdict.nudge}"
            self.show(Notice(verdict.nudge, "warn"))
        self._record(
            "command_end",
            assistant,
            content,
            command=proposal.command,
            args=proposal.args,
            ok=result.ok,
            error=None if result.ok else text[:300],
            duration=round(duration, 3),
        )
        if self.remember and result.ok and result.finish is None:
            self.remember(content, "result")
        if result.finish is not None:
            return Outcome("finished", result.finish.reason)
        if verdict.stop:
            return Outcome("stuck", verdict.stop)
        return Outcome("continue")

    def _fit_result(self, result: CommandResult) -> str:
        budget = self.ctx.result_budget_tokens
        text = result.text
        total = self.counter.text(text)
        if total <= budget:
            return text
        keep = int(len(text) * budget / total * 0.9)
        return (
            text[:keep] + f"\n[Result cut to fit the context: {keep} of {len(text)} "
            "characters shown. Ask for less at a time, e.g. read_file with offset and limit.]"
        )

    def _record(self, kind: str, assistant: dict[str, Any], text: str, **extra: Any) -> None:
        turn_messages = [assistant, *msgs.result_messages(assistant, text)]
        self.state.turns.append(promptctx.Turn(turn_messages, cycle=self.state.cycle))
        self.journal.append(kind, cycle=self.state.cycle, messages=turn_messages, **extra)
