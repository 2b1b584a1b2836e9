"""The model table: context window, output cap, prices per 1k tokens, tool support. Pure data.

Prices are list prices in US dollars per 1,000 tokens (input, output); they change, so the cost
line is an estimate. An unknown model uses the configured token limit, and the configured price
or none (then the budget cannot be enforced: ``agent/budget.py`` says so).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_window: int
    max_output: int
    input_per_1k: float
    output_per_1k: float
    tools: bool
    encoding: str = "cl100k_base"
    known: bool = True
    priced: bool = True
    """False for a model the table does not know and no price was configured for: costs $0."""


# Longest prefix wins: "gpt-4o-mini-2024-07-18" matches "gpt-4o-mini" before "gpt-4o" and "gpt-4".
_TABLE: tuple[ModelInfo, ...] = (
    ModelInfo("gpt-3.5-turbo-16k", 16385, 4096, 0.003, 0.004, True),
    ModelInfo("gpt-3.5-turbo-0301", 4096, 4096, 0.0015, 0.002, False),
    ModelInfo("gpt-3.5-turbo-0613", 4096, 4096, 0.0015, 0.002, True),
    ModelInfo("gpt-3.5-turbo-instruct", 4096, 4096, 0.0015, 0.002, False),
    ModelInfo("gpt-3.5-turbo", 16385, 4096, 0.0005, 0.0015, True),
    ModelInfo("gpt-4-32k", 32768, 4096, 0.06, 0.12, True),
    ModelInfo("gpt-4-turbo", 128000, 4096, 0.01, 0.03, True),
    ModelInfo("gpt-4-1106", 128000, 4096, 0.01, 0.03, True),
    ModelInfo("gpt-4-0125", 128000, 4096, 0.01, 0.03, True),
    ModelInfo("gpt-4o-mini", 128000, 16384, 0.00015, 0.0006, True, "o200k_base"),
    ModelInfo("gpt-4o", 128000, 16384, 0.0025, 0.01, True, "o200k_base"),
    ModelInfo("gpt-4.1-nano", 1047576, 32768, 0.0001, 0.0004, True, "o200k_base"),
    ModelInfo("gpt-4.1-mini", 1047576, 32768, 0.0004, 0.0016, True, "o200k_base"),
    ModelInfo("gpt-4.1", 1047576, 32768, 0.002, 0.008, True, "o200k_base"),
    ModelInfo("gpt-4", 8192, 4096, 0.03, 0.06, True),
    ModelInfo("o1-mini", 128000, 65536, 0.0011, 0.0044, False, "o200k_base"),
    ModelInfo("o1", 200000, 100000, 0.015, 0.06, True, "o200k_base"),
    ModelInfo("o3-mini", 200000, 100000, 0.0011, 0.0044, True, "o200k_base"),
    ModelInfo("o3", 200000, 100000, 0.002, 0.008, True, "o200k_base"),
    ModelInfo("o4-mini", 200000, 100000, 0.0011, 0.0044, True, "o200k_base"),
    # Embedding models (long-term memory): input tokens only.
    ModelInfo("text-embedding-3-small", 8191, 0, 0.00002, 0.0, False),
    ModelInfo("text-embedding-3-large", 8191, 0, 0.00013, 0.0, False),
    ModelInfo("text-embedding-ada-002", 8191, 0, 0.0001, 0.0, False),
)


def lookup(
    model: str, *, fallback_window: int, price: tuple[float | None, float | None] = (None, None)
) -> ModelInfo:
    """The table entry for ``model``; unknown models get the configured limit as their window
    and ``price`` (dollars per 1k input, output tokens; MODEL_PRICE_INPUT / _OUTPUT) if given."""
    name = model.lower().split("/")[-1]
    best: ModelInfo | None = None
    for info in _TABLE:
        if name.startswith(info.name) and (best is None or len(info.name) > len(best.name)):
            best = info
    if best is not None:
        return best
    return ModelInfo(
        name=model,
        context_window=fallback_window,
        max_output=max(256, fallback_window // 4),
        input_per_1k=price[0] or 0.0,
        output_per_1k=price[1] or 0.0,
        tools=False,
        known=False,
        priced=price[0] is not None or price[1] is not None,
    )


def is_reasoning_model(model: str) -> bool:
    """o-series models take ``max_completion_tokens`` and no temperature."""
    name = model.lower().split("/")[-1]
    return name.startswith(("o1", "o3", "o4"))


def cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float:
    return prompt_tokens / 1000 * info.input_per_1k + completion_tokens / 1000 * info.output_per_1k
