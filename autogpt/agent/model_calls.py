"""Every request to the model: the budget check before it, the cost accounting after it.

The main model's requests (with tools when on), the fast model's helper conversations (page
answers) and the embedding requests of long-term memory all pass here, so the costs, the journal's
``request`` records and the cost lines agree. Knows no prompt text.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

from autogpt.agent.events import CostLine, Notice, ReasoningShown, Show, Thinking
from autogpt.agent.state import RunState
from autogpt.errors import RunStopped
from autogpt.journal.journal import Journal
from autogpt.llm.catalog import ModelInfo
from autogpt.llm.client import ContextOverflow, ModelClient
from autogpt.llm.tokens import TokenCounter
from autogpt.llm.types import ChatReply, ChatRequest
from autogpt.prompt import context as promptctx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSetup:
    """The main model and the fast model (summaries, page answers), each with its limit."""

    main: ModelInfo
    main_limit: int
    fast: ModelInfo
    fast_limit: int
    temperature: float = 0.0

    def within(self, windows: dict[str, int]) -> ModelSetup:
        """These models with each limit kept within the window an endpoint stated for it."""
        main_limit = min(self.main_limit, windows.get(self.main.name, self.main_limit))
        fast_limit = min(self.fast_limit, windows.get(self.fast.name, self.fast_limit))
        return dataclasses.replace(self, main_limit=main_limit, fast_limit=fast_limit)


class ModelCalls:
    def __init__(
        self,
        *,
        models: ModelSetup,
        client: ModelClient,
        journal: Journal,
        state: RunState,
        show: Show,
    ) -> None:
        self.models = models
        self.client = client
        self.journal = journal
        self.state = state
        self.show = show
        self.counter = TokenCounter(models.main.encoding)
        self.fast_counter = TokenCounter(models.fast.encoding)
        self.reply_tokens = promptctx.reply_reserve(models.main_limit, models.main.max_output)

    def narrow(self, windows: dict[str, int]) -> bool:
        """Keep within the windows the endpoint stated from now on; False if nothing changed."""
        narrowed = self.models.within(windows)
        if narrowed == self.models:
            return False
        self.models = narrowed
        self.reply_tokens = promptctx.reply_reserve(narrowed.main_limit, narrowed.main.max_output)
        return True

    def main(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, purpose: str
    ) -> ChatReply:
        """One request to the main model; ContextOverflow when too little room is left for the
        reply, RunStopped when it would exceed the budget."""
        prompt_tokens = self.counter.messages(messages) + self.counter.tools(tools)
        max_tokens = min(self.reply_tokens, self.models.main_limit - prompt_tokens)
        if max_tokens < 64:
            raise ContextOverflow(f"only {max_tokens} tokens left for the reply")
        self._check_budget(self.models.main, prompt_tokens)
        request = ChatRequest(
            model=self.models.main.name,
            messages=messages,
            max_tokens=max_tokens,
            temperature=self.models.temperature,
            tools=tools,
            tool_choice="required" if tools else None,
            purpose=purpose,
        )
        started = time.monotonic()
        self.show(Thinking(True))
        try:
            reply = self.client.complete(request)
        finally:
            self.show(Thinking(False))
        latency = time.monotonic() - started
        if reply.reasoning:
            self.show(ReasoningShown(reply.reasoning))
        usage = reply.usage
        self.account(
            self.models.main,
            usage.prompt_tokens or prompt_tokens,
            usage.completion_tokens,
            purpose,
            latency=latency,
            counted=prompt_tokens,
            cached=usage.cached_tokens,
        )
        return reply

    def helper(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """A helper conversation on the fast model (page answers): no system prompt of ours, no
        tools; counted in the costs and held to the budget like every request."""
        info = self.models.fast
        prompt_tokens = self.fast_counter.messages(messages)
        max_tokens = max(16, min(max_tokens, self.models.fast_limit - prompt_tokens))
        self._check_budget(info, prompt_tokens)
        started = time.monotonic()
        reply = self.client.complete(
            ChatRequest(
                model=info.name,
                messages=messages,
                max_tokens=max_tokens,
                temperature=self.models.temperature,
                purpose="helper",
            )
        )
        self.account(
            info,
            reply.usage.prompt_tokens or prompt_tokens,
            reply.usage.completion_tokens,
            "helper",
            latency=time.monotonic() - started,
            counted=prompt_tokens,
            cached=reply.usage.cached_tokens,
        )
        return reply.text or ""

    def embedding(self, info: ModelInfo, tokens: int) -> None:
        """An embeddings request of long-term memory: in the costs, the journal and the report
        (no cost line of its own: it is a fraction of a cent)."""
        self.account(info, tokens, 0, "embedding", shown=False)

    def _check_budget(self, info: ModelInfo, prompt_tokens: int) -> None:
        costs = self.state.costs
        if costs.would_exceed(costs.estimate(info, prompt_tokens)):
            raise RunStopped(
                f"Budget of ${costs.budget:.2f} reached (spent ${costs.total:.4f}); the next "
                "request would exceed it.",
                reason="budget",
            )

    def account(
        self,
        info: ModelInfo,
        prompt: int,
        completion: int,
        purpose: str,
        *,
        latency: float = 0.0,
        counted: int = 0,
        shown: bool = True,
        cached: int = 0,
    ) -> None:
        """Record one request's tokens and dollars: costs, journal, cost line, debug log, the
        80% warning."""
        costs = self.state.costs
        dollars = costs.record(info, prompt, completion, purpose=purpose, cached=cached)
        self.journal.append(
            "request",
            durable=False,
            model=info.name,
            purpose=purpose,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=cached,
            counted_tokens=counted,
            cost=dollars,
            latency=round(latency, 3),
        )
        if shown:
            self.show(
                CostLine(
                    self.state.cycle + 1,
                    dollars,
                    costs.total,
                    costs.budget,
                    prompt,
                    completion,
                    costs.requests - costs.embedding_requests,
                    costs.embedding_requests,
                    cached,
                )
            )
        retries = getattr(self.client, "retries_last_request", 0)
        detail = (
            f"request {purpose} model={info.name} prompt={prompt} completion={completion} "
            f"cost=${dollars:.5f} latency={latency:.2f}s retries={retries}"
        )
        log.debug(detail)
        self.show(Notice(detail, "debug"))
        if costs.should_warn():
            self.show(
                Notice(
                    f"80% of the budget is spent (${costs.total:.4f} of ${costs.budget:.2f}).",
                    "warn",
                )
            )
