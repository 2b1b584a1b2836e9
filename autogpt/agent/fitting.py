"""The next request's messages, fitted into the main model's limit.

Between compaction points a request is the previous one plus the new turn, so a provider's prompt
cache serves all but the new turn. Once the history passes the high-water mark
(``prompt/context.py``), one compaction point: older turns are compacted (shortened in place, no
request; the prompt changes from the first of them on), then, if they still do not fit, the
oldest are folded into the running summary (one request to the fast model, and the prompt
changes from the summary on) down to the low-water mark, so folds are rare. A turn is
shortened once and folded once. Both steps are events, so a resumed run rebuilds the same prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autogpt.agent.model_calls import ModelCalls
from autogpt.agent.state import RunState
from autogpt.events import Compacted, RunEvent, SummaryFolded
from autogpt.prompt import context as promptctx
from autogpt.prompt.summary import summary_request, summary_text
from autogpt.prompt.system import TRIGGER, TRIGGER_TOOLS
from autogpt.prompt.turns import KEEP_WHOLE, plan_of

PLAN_PREFIX = "Your plan so far:"

Recall = Callable[[str, int, set[str]], str]
"""(query, token budget, texts already in the prompt) -> the memory block, or ""."""
Remember = Callable[[str, str], None]
"""(text, kind) -> None: store a result or a summary in long-term memory."""


@dataclass(frozen=True)
class MemoryHooks:
    """Long-term memory as the agent holds it (none: both None)."""

    recall: Recall | None = None
    remember: Remember | None = None


class ContextFitter:
    def __init__(
        self,
        *,
        system_for: Callable[[bool], str],
        calls: ModelCalls,
        record: Callable[[RunEvent], None],
        state: RunState,
        memory: MemoryHooks,
    ) -> None:
        self._system_for = system_for
        self.calls = calls
        self.record = record
        self.state = state
        self.memory = memory

    def messages(self, shrink: float, tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """System, summary, history and the next-step message within ``shrink`` of the limit."""
        counter = self.calls.counter
        limits = self.calls.limits
        limit = int(limits.main_window * shrink)
        budget = promptctx.Budget(limit, limits.reply_tokens, counter.tools(tools))
        system = self._system_for(self.state.tool_mode)
        tail = self._tail(int(limits.memory_tokens * shrink))

        def fitted() -> promptctx.Fit:
            return promptctx.fit(
                system=system,
                summary=self.state.summary,
                turns=self.state.view(),
                tail=tail,
                budget=budget,
                counter=counter,
            )

        fit = fitted()
        if not (fit.drop or fit.crowded):
            return fit.messages  # the usual request: the previous one's prefix, then the new turn
        # A compaction point, the one place the prompt's prefix changes: shorten the older
        # turns, then, if they still do not fit, fold the oldest down to the low-water mark.
        self._compact()
        fit = fitted()
        for _ in range(2):  # a second fold only if the new summary itself crowded the room
            if not fit.drop:
                break
            self._fold(fit.drop)
            fit = fitted()
        return fit.messages

    def _tail(self, budget_tokens: int) -> str:
        """The last message's text after the newest result: recalled memories, the plan of the
        newest reply (past thoughts are not carried in the history), the next-step trigger."""
        parts = []
        recall = self.memory.recall
        turns = self.state.view() if recall and budget_tokens > 0 else []
        if recall and turns:
            shown = {str(m.get("content", "")) for t in turns for m in t.messages}
            query = str(turns[-1].messages[-1].get("content", ""))
            parts.append(recall(query, budget_tokens, shown) if query else "")
        plan = plan_of(self.state.turns[-1]) if self.state.turns else ""
        if plan:
            parts.append(f"{PLAN_PREFIX}\n{plan}")
        parts.append(TRIGGER_TOOLS if self.state.tool_mode else TRIGGER)
        return "\n\n".join(p for p in parts if p)

    def _compact(self) -> bool:
        """Shorten every turn but the newest few; False when there is nothing more to shorten."""
        upto = len(self.state.turns) - KEEP_WHOLE
        if upto <= self.state.compacted_upto:
            return False
        self.record(Compacted(upto=upto))
        return True

    def _fold(self, drop: int) -> None:
        """Fold the oldest live turns into the running summary (one request)."""
        calls = self.calls
        start = self.state.summarized_upto
        request = summary_request(
            model=calls.models.fast.name,
            limit=calls.limits.fast_window,
            reply_tokens=calls.limits.summary_tokens,
            counter=calls.fast_counter,
            previous=self.state.summary,
            turns=self.state.turns[start : start + drop],
            temperature=calls.models.temperature,
        )
        reply = calls.summary(request)
        summary = summary_text(
            reply, self.state.summary, calls.limits.summary_tokens, calls.fast_counter
        )
        self.record(SummaryFolded(summary=summary, upto=start + drop))
        if self.memory.remember:
            self.memory.remember(summary, "summary")
