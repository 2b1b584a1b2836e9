"""What is known about a model: context window, output cap, prices, tool support, tokenizer.

Prices (and windows where it has them) come from ``llm/prices.py``: genai-prices' list prices,
overridden by PRICES_FILE. Output caps, tool support, the tokenizer and the windows the data
lacks come from the small table below (gpt-5 and later, DeepSeek, Qwen, Kimi, GLM are in it). An
unknown model uses the configured token limit, and MODEL_PRICE_INPUT / _OUTPUT or no price (then
the budget cannot be enforced: ``agent/budget.py`` says so). Prices change: the cost line is an
estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

from autogpt.llm.prices import Price, list_price, overridden

O200K = "o200k_base"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    """The model as configured: sent as is (a relay's "openai/gpt-4o" keeps its prefix)."""
    context_window: int
    max_output: int
    input_per_1k: float
    output_per_1k: float
    tools: bool
    encoding: str = "cl100k_base"
    known: bool = True
    priced: bool = True
    """False for a model the table does not know and no price was configured for: costs $0."""
    cached_per_1k: float | None = None
    """Input tokens served from the provider's prompt cache; None: priced as input."""
    price_source: str = ""


@dataclass(frozen=True)
class _Known:
    prefix: str
    context_window: int
    max_output: int
    tools: bool = True
    encoding: str = "cl100k_base"


# Longest prefix wins: "gpt-4o-mini-2024-07-18" matches "gpt-4o-mini" before "gpt-4o" and "gpt-4".
_TABLE: tuple[_Known, ...] = (
    _Known("gpt-3.5-turbo", 16385, 4096),
    _Known("gpt-3.5-turbo-0301", 4096, 4096, tools=False),
    _Known("gpt-3.5-turbo-0613", 4096, 4096),
    _Known("gpt-3.5-turbo-instruct", 4096, 4096, tools=False),
    _Known("gpt-4", 8192, 4096),
    _Known("gpt-4-32k", 32768, 4096),
    _Known("gpt-4-turbo", 128000, 4096),
    _Known("gpt-4-1106", 128000, 4096),
    _Known("gpt-4-0125", 128000, 4096),
    _Known("gpt-4o", 128000, 16384, encoding=O200K),
    _Known("gpt-4.1", 1047576, 32768, encoding=O200K),
    _Known("gpt-5", 400000, 128000, encoding=O200K),
    _Known("gpt-6", 1050000, 128000, encoding=O200K),
    _Known("o1", 200000, 100000, encoding=O200K),
    _Known("o1-mini", 128000, 65536, tools=False, encoding=O200K),
    _Known("o3", 200000, 100000, encoding=O200K),
    _Known("o4", 200000, 100000, encoding=O200K),
    _Known("deepseek", 128000, 8192),
    _Known("deepseek-reasoner", 128000, 65536),
    _Known("deepseek-v4", 1000000, 65536),
    _Known("qwen", 131072, 8192),
    _Known("qwen-max", 32768, 8192),
    _Known("qwen-turbo", 1000000, 16384),
    _Known("qwen3", 131072, 16384),
    _Known("qwen3-coder", 262144, 65536),
    _Known("kimi", 262144, 32768),
    _Known("moonshot-v1-8k", 8192, 4096),
    _Known("moonshot-v1-32k", 32768, 4096),
    _Known("moonshot-v1-128k", 131072, 4096),
    _Known("glm-4", 128000, 4096),
    _Known("glm-4.5", 131072, 16384),
    _Known("glm-4.6", 200000, 16384),
    _Known("glm-5", 200000, 16384),
    # Embedding models (long-term memory): input tokens only.
    _Known("text-embedding-3-small", 8191, 0, tools=False),
    _Known("text-embedding-3-large", 8191, 0, tools=False),
    _Known("text-embedding-ada-002", 8191, 0, tools=False),
)


def _known(name: str) -> _Known | None:
    best: _Known | None = None
    for entry in _TABLE:
        if name.startswith(entry.prefix) and (best is None or len(entry.prefix) > len(best.prefix)):
            best = entry
    return best


def _short_name(model: str) -> str:
    return model.lower().split("/")[-1]


def encoding(model: str) -> str:
    """The tokenizer of ``model`` (without looking up any price)."""
    known = _known(_short_name(model))
    return known.encoding if known else "cl100k_base"


def lookup(
    model: str,
    *,
    fallback_window: int,
    price: tuple[float | None, float | None] = (None, None),
    overrides: dict[str, Price] | None = None,
) -> ModelInfo:
    """What is known about ``model``; an unknown one gets the configured limit as its window and
    ``price`` (dollars per 1k input, output tokens; MODEL_PRICE_INPUT / _OUTPUT) if given."""
    name = _short_name(model)
    known = _known(name)
    listed = overridden(overrides or {}, model) or overridden(overrides or {}, name)
    listed = listed or list_price(name)
    if known is None and listed is None:
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
    window = (listed.context_window if listed else None) or (
        known.context_window if known else fallback_window
    )
    max_output = (listed.max_output if listed else None) or (
        known.max_output if known else max(256, window // 4)
    )
    priced = listed is not None or price[0] is not None or price[1] is not None
    return ModelInfo(
        name=model,
        context_window=window,
        max_output=max_output,
        input_per_1k=listed.input_mtok / 1000 if listed else price[0] or 0.0,
        output_per_1k=listed.output_mtok / 1000 if listed else price[1] or 0.0,
        tools=known.tools if known else True,
        encoding=known.encoding if known else "cl100k_base",
        known=known is not None,
        priced=priced,
        cached_per_1k=(
            listed.cache_read_mtok / 1000 if listed and listed.cache_read_mtok is not None else None
        ),
        price_source=listed.source if listed else "",
    )


def is_reasoning_model(model: str) -> bool:
    """o-series, gpt-5 and gpt-6 models take ``max_completion_tokens`` and no temperature."""
    name = _short_name(model)
    return name.startswith(("o1", "o3", "o4", "gpt-5", "gpt-6")) and "chat" not in name


def cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int, cached: int = 0) -> float:
    """Dollars for one request; ``cached`` of the prompt tokens at the cached-input price."""
    cached = max(0, min(cached, prompt_tokens))
    cached_price = info.input_per_1k if info.cached_per_1k is None else info.cached_per_1k
    return (
        (prompt_tokens - cached) / 1000 * info.input_per_1k
        + cached / 1000 * cached_price
        + completion_tokens / 1000 * info.output_per_1k
    )
