"""The request gateway: every request to a model passes here, and only here.

Main and corrective requests (with tools when on), the running summary, the fast model's helper
conversations (page answers) and long-term memory's embeddings: each gets the budget check before
it is sent, the spinner while it runs, and one ``RequestAccounted`` event after it, so the costs,
the journal and the cost lines agree. Knows no prompt text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from autogpt.agent.events import (
    CostLine,
    Notice,
    ReasoningShown,
    Show,
    Thinking,
    ThoughtDelta,
)
from autogpt.agent.limits import Limits
from autogpt.agent.state import RunState
from autogpt.errors import RunStopped
from autogpt.events import RequestAccounted, RunEvent
from autogpt.llm.catalog import ModelInfo, cost
from autogpt.llm.client import ContextOverflow, ModelClient
from autogpt.llm.tokens import TokenCounter
from autogpt.llm.types import ChatReply, ChatRequest

log = logging.getLogger(__name__)

MIN_REPLY_TOKENS = 64
_T = TypeVar("_T")


@dataclass(frozen=True)
class ModelSetup:
    """The main model and the fast model (summaries, page answers)."""

    main: ModelInfo
    fast: ModelInfo
    temperature: float = 0.0


class NoRoomForReply(ContextOverflow):
    """Our own count left too little room for a reply: nothing was sent (the token limit is too
    small for the prompt, or the history could not be shortened enough)."""


class ModelCalls:
    def __init__(
        self,
        *,
        models: ModelSetup,
        limits: Limits,
        client: ModelClient,
        record: Callable[[RunEvent], None],
        state: RunState,
        show: Show,
        live: bool = True,
    ) -> None:
        """``live``: someone watches a reply stream in (a terminal, the JSON lines); False (the
        server's tasks, which return whole steps): no ThoughtDelta per chunk of a reply."""
        self.live = live
        self.models = models
        self.limits = limits
        self.client = client
        self.record = record
        self.state = state
        self.show = show
        self.counter = TokenCounter(models.main.encoding)
        self.fast_counter = TokenCounter(models.fast.encoding)

    def narrow(self, window: int) -> bool:
        """Keep within the window the endpoint stated from now on; False if nothing changed."""
        narrowed = self.limits.with_window(window, self.models.main)
        if narrowed == self.limits:
            return False
        self.limits = narrowed
        return True

    def main(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, purpose: str
    ) -> ChatReply:
        """One request to the main model; ContextOverflow when too little room is left for the
        reply, RunStopped when it would exceed the budget."""
        prompt_tokens = self.counter.messages(messages) + self.counter.tools(tools)
        window = self.limits.main_window
        max_tokens = min(self.limits.reply_tokens, window - prompt_tokens)
        if max_tokens < MIN_REPLY_TOKENS:
            raise NoRoomForReply(
                f"only {max_tokens} tokens of the {window:,}-token limit are left for the reply "
                f"({prompt_tokens:,} for the prompt and the command schemas)"
            )
        request = ChatRequest(
            model=self.models.main.name,
            messages=messages,
            max_tokens=max_tokens,
            temperature=self.models.temperature,
            tools=tools,
            tool_choice="required" if tools else None,
            purpose=purpose,
            on_delta=self._stream_to_screen if self.live else None,
        )
        reply = self.send(request, self.models.main, prompt_tokens, label="Thinking...")
        if reply.reasoning:
            self.show(ReasoningShown(reply.reasoning))
        return reply

    def _stream_to_screen(self, text: str, reasoning: str) -> None:
        """The reply so far, as it streams in: shown live, never recorded."""
        self.show(ThoughtDelta(text, reasoning))

    def helper(
        self, messages: list[dict[str, str]], max_tokens: int, *, purpose: str = "helper"
    ) -> str:
        """A helper conversation on the fast model (page answers; ``helper_agent``: the helper
        agents of ``start_agent``): no system prompt of ours, no tools."""
        prompt_tokens = self.fast_counter.messages(messages)
        max_tokens = max(16, min(max_tokens, self.limits.fast_window - prompt_tokens))
        request = ChatRequest(
            model=self.models.fast.name,
            messages=messages,
            max_tokens=max_tokens,
            temperature=self.models.temperature,
            purpose=purpose,
        )
        return self.send(request, self.models.fast, prompt_tokens).text or ""

    def summary(self, request: ChatRequest) -> str:
        """The running summary's request, on the fast model (``prompt/summary.py`` builds it)."""
        prompt_tokens = self.fast_counter.messages(request.messages)
        reply = self.send(
            request, self.models.fast, prompt_tokens, label="Summarising older history..."
        )
        return reply.text or ""

    def embed(self, texts: list[str], info: ModelInfo, dimensions: int | None) -> list[list[float]]:
        """Long-term memory's embeddings (no cost line of their own: a fraction of a cent)."""
        estimate = sum(self.counter.text(t) for t in texts)
        self._check_budget(cost(info, estimate, 0))
        self.show(Thinking(True, "Embedding for long-term memory..."))
        try:
            vectors, used = self.client.embed(texts, model=info.name, dimensions=dimensions)
        finally:
            self.show(Thinking(False))
        self._account(info, used or estimate, 0, "embedding", counted=estimate, shown=False)
        return vectors

    def send(
        self, request: ChatRequest, info: ModelInfo, prompt_tokens: int, *, label: str = ""
    ) -> ChatReply:
        """The budget check, the request (the spinner while it runs), the accounting."""
        self._check_budget(self.state.costs.estimate(info, prompt_tokens))
        started = time.monotonic()
        if label:
            self.show(Thinking(True, label))
        try:
            reply = self.client.complete(request)
        finally:
            if label:
                self.show(Thinking(False))
        self._account(
            info,
            reply.usage.prompt_tokens or prompt_tokens,
            reply.usage.completion_tokens,
            request.purpose,
            latency=time.monotonic() - started,
            counted=prompt_tokens,
            cached=reply.usage.cached_tokens,
        )
        return reply

    def _check_budget(self, next_cost: float) -> None:
        costs = self.state.costs
        if costs.would_exceed(next_cost):
            raise RunStopped(
                f"Budget of ${costs.budget:.2f} reached (spent ${costs.total:.4f}); the next "
                "request would exceed it.",
                reason="budget",
            )

    def image(self, make: Callable[[], _T], *, model: str, size: str, dollars: float) -> _T:
        """One image request, priced per image (``dollars``: 0 when unknown): the spinner while
        it runs, then its ``RequestAccounted`` (purpose ``image``) and cost line. The caller
        checks the budget first (``would_exceed``): an image over it is refused, the run goes
        on."""
        started = time.monotonic()
        self.show(Thinking(True, f"Generating an image ({model}, {size})..."))
        try:
            made = make()
        finally:
            self.show(Thinking(False))
        self._account(
            None, 0, 0, "image", latency=time.monotonic() - started, priced=(model, dollars)
        )
        return made

    def _account(
        self,
        info: ModelInfo | None,
        prompt: int,
        completion: int,
        purpose: str,
        *,
        latency: float = 0.0,
        counted: int = 0,
        shown: bool = True,
        cached: int = 0,
        priced: tuple[str, float] | None = None,
    ) -> None:
        """Record one request's tokens and dollars (``priced``: the model and dollars of a
        request priced per item, an image); the cost line, the debug log, the 80% warning."""
        if priced is not None:
            name, dollars = priced
        else:
            assert info is not None
            name, dollars = info.name, cost(info, prompt, completion, cached)
        self.record(
            RequestAccounted(
                model=name,
                purpose=purpose,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cached_tokens=cached,
                counted_tokens=counted,
                cost=dollars,
                latency=round(latency, 3),
            )
        )
        costs = self.state.costs
        if shown:
            self.show(
                CostLine(
                    self.state.cycle + 1,
                    dollars,
                    costs.total,
                    costs.budget,
                    prompt,
                    completion,
                    costs.requests - costs.embedding_requests - costs.image_requests,
                    costs.embedding_requests,
                    cached,
                    image=name if purpose == "image" else "",
                    label="helper agent" if purpose == "helper_agent" else "",
                )
            )
        retries = getattr(self.client, "retries_last_request", 0)
        detail = (
            f"request {purpose} model={name} prompt={prompt} completion={completion} "
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
