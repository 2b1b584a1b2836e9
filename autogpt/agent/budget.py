"""Tokens and dollars per request, per model; the warn / stop decisions of the budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from autogpt.errors import UsageError
from autogpt.llm.catalog import ModelInfo, cost

WARN_SHARE = 0.8
DEFAULT_COMPLETION_GUESS = 400


@dataclass
class ModelUsage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dollars: float = 0.0
    cached_tokens: int = 0
    """Of the prompt tokens, those the provider served from its prompt cache."""
    images: int = 0
    """Of the requests, images (generate_image): priced per image, no tokens."""


@dataclass
class CostTracker:
    budget: float = 0.0
    per_model: dict[str, ModelUsage] = field(default_factory=dict)
    warned: bool = False
    embedding_requests: int = 0
    """Of the requests, those of long-term memory (shown apart on the cost line)."""
    image_requests: int = 0
    """Of the requests, the images of generate_image (each on a cost line of its own)."""

    @property
    def total(self) -> float:
        return sum(u.dollars for u in self.per_model.values())

    @property
    def requests(self) -> int:
        return sum(u.requests for u in self.per_model.values())

    def record(
        self,
        info: ModelInfo,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        purpose: str = "",
        cached: int = 0,
    ) -> float:
        """Count one request (``purpose="embedding"``: one of long-term memory); its dollars,
        ``cached`` prompt tokens at the cached price."""
        dollars = cost(info, prompt_tokens, completion_tokens, cached)
        self.add(
            info.name, prompt_tokens, completion_tokens, dollars, purpose=purpose, cached=cached
        )
        return dollars

    def add(
        self,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        dollars: float,
        *,
        purpose: str,
        cached: int = 0,
    ) -> None:
        """Count one request priced already (as the journal recorded it)."""
        if purpose == "embedding":
            self.embedding_requests += 1
        elif purpose == "image":
            self.image_requests += 1
        usage = self.per_model.setdefault(model, ModelUsage())
        usage.images += purpose == "image"
        usage.requests += 1
        usage.prompt_tokens += prompt_tokens
        usage.completion_tokens += completion_tokens
        usage.cached_tokens += cached
        usage.dollars += dollars

    def estimate(self, info: ModelInfo, prompt_tokens: int) -> float:
        """The next request's cost, its reply guessed from this model's replies so far."""
        usage = self.per_model.get(info.name)
        guess = (
            usage.completion_tokens // usage.requests
            if usage and usage.requests
            else DEFAULT_COMPLETION_GUESS
        )
        return cost(info, prompt_tokens, guess)

    def would_exceed(self, next_cost: float) -> bool:
        return self.budget > 0 and self.total + next_cost > self.budget

    def should_warn(self) -> bool:
        """True once, when 80 % of the budget has been spent."""
        if self.budget > 0 and not self.warned and self.total >= WARN_SHARE * self.budget:
            self.warned = True
            return True
        return False

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {name: vars(u).copy() for name, u in self.per_model.items()}


def price_check(models: Iterable[ModelInfo], budget: float) -> str | None:
    """A warning for models of unknown price (their requests count as $0), or UsageError when a
    budget could then never trigger."""
    unpriced = sorted({m.name for m in models if not m.priced})
    if not unpriced:
        return None
    names = ", ".join(repr(n) for n in unpriced)
    how = (
        "set MODEL_PRICE_INPUT and MODEL_PRICE_OUTPUT in .env (dollars per 1,000 tokens; 0 "
        "for a free local model)"
    )
    if budget > 0:
        raise UsageError(
            f"--budget ${budget:.2f} cannot be enforced: the price of {names} is "
            f"unknown, so its requests would count as $0. To use a budget, {how}; "
            "or run without a budget."
        )
    return (
        f"The price of {names} is unknown: its requests count as $0 in the costs. To count "
        f"them, {how}."
    )
