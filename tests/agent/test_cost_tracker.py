"""CostTracker: dollars per request from the catalog's prices, per model; the next request's
estimate; the stop and the one warning at 80 % of the budget. Pure arithmetic, no server."""

from __future__ import annotations

import pytest

from autogpt.agent.budget import CostTracker, price_check
from autogpt.errors import UsageError
from autogpt.llm.catalog import ModelInfo, lookup

GPT4 = lookup("gpt-4", fallback_window=4000)  # $0.03 in, $0.06 out per 1k tokens
GPT35 = lookup("gpt-3.5-turbo", fallback_window=4000)  # $0.0005 in, $0.0015 out
EMBEDDING = lookup("text-embedding-3-small", fallback_window=8191)  # $0.00002 in
DOLLAR_PER_1K = lookup("local-model", fallback_window=4000, price=(1.0, 0.0))


def _spent(dollars: float, budget: float) -> CostTracker:
    """A tracker with a budget that has already spent ``dollars`` (in whole 1k-token requests)."""
    costs = CostTracker(budget=budget)
    costs.record(DOLLAR_PER_1K, round(dollars * 1000), 0)
    return costs


def test_a_request_costs_its_prompt_and_reply_tokens_at_the_models_prices() -> None:
    costs = CostTracker()
    dollars = costs.record(GPT4, prompt_tokens=1000, completion_tokens=500)
    assert dollars == pytest.approx(0.03 + 0.03)
    assert costs.total == pytest.approx(0.06)
    assert costs.requests == 1


def test_usage_is_kept_per_model_and_summed_over_them() -> None:
    costs = CostTracker()
    costs.record(GPT4, 1000, 100)
    costs.record(GPT35, 2000, 200)
    costs.record(GPT4, 500, 50)

    gpt4, gpt35 = costs.per_model["gpt-4"], costs.per_model["gpt-3.5-turbo"]
    assert (gpt4.requests, gpt4.prompt_tokens, gpt4.completion_tokens) == (2, 1500, 150)
    assert (gpt35.requests, gpt35.prompt_tokens, gpt35.completion_tokens) == (1, 2000, 200)
    assert gpt4.dollars == pytest.approx(1.5 * 0.03 + 0.15 * 0.06)
    assert gpt35.dollars == pytest.approx(2 * 0.0005 + 0.2 * 0.0015)
    assert costs.total == pytest.approx(gpt4.dollars + gpt35.dollars)
    assert costs.requests == 3
    assert costs.to_dict()["gpt-4"] == {
        "requests": 2,
        "prompt_tokens": 1500,
        "completion_tokens": 150,
        "cached_tokens": 0,
        "images": 0,
        "dollars": pytest.approx(gpt4.dollars),
    }


def test_memorys_embedding_requests_are_counted_apart_and_still_cost() -> None:
    costs = CostTracker()
    costs.record(GPT35, 1000, 100)
    costs.record(EMBEDDING, 500, 0, purpose="embedding")
    costs.record(EMBEDDING, 500, 0, purpose="embedding")
    costs.record(GPT35, 300, 50, purpose="summary")  # a model reply, not memory's

    assert costs.embedding_requests == 2
    assert costs.requests == 4  # the cost line shows 2 replies "+2 for memory"
    assert costs.per_model["text-embedding-3-small"].dollars == pytest.approx(2 * 0.5 * 0.00002)


def test_the_first_estimate_guesses_a_400_token_reply() -> None:
    assert CostTracker().estimate(GPT4, 1000) == pytest.approx(0.03 + 0.4 * 0.06)


def test_later_estimates_guess_the_reply_from_that_models_replies_so_far() -> None:
    costs = CostTracker()
    costs.record(GPT4, 1000, 100)
    costs.record(GPT4, 1000, 300)
    costs.record(GPT35, 1000, 4000)  # another model's long replies change nothing for gpt-4

    assert costs.estimate(GPT4, 2000) == pytest.approx(2 * 0.03 + 0.2 * 0.06)  # 200 on average


def test_without_a_budget_nothing_exceeds_it_and_nothing_warns() -> None:
    costs = _spent(50.0, budget=0.0)
    assert not costs.would_exceed(1000.0)
    assert not costs.should_warn()


def test_a_request_that_would_pass_the_budget_exceeds_it() -> None:
    costs = _spent(0.9, budget=1.0)
    assert costs.would_exceed(0.2)
    assert not costs.would_exceed(0.05)
    assert not costs.would_exceed(0.1)  # reaching the budget exactly is still within it


def test_the_warning_comes_once_when_80_percent_is_spent() -> None:
    costs = CostTracker(budget=1.0)
    costs.record(DOLLAR_PER_1K, 790, 0)
    assert not costs.should_warn()  # 79 %
    costs.record(DOLLAR_PER_1K, 10, 0)
    assert costs.should_warn()  # 80 %
    assert not costs.should_warn()
    costs.record(DOLLAR_PER_1K, 150, 0)
    assert not costs.should_warn()  # 95 %: already warned


def test_a_refused_budget_names_every_unpriced_model_once_and_the_fix() -> None:
    models: list[ModelInfo] = [
        lookup("zeta-13b", fallback_window=4000),
        GPT35,
        lookup("alpha-7b", fallback_window=4000),
        lookup("zeta-13b", fallback_window=4000),
    ]
    with pytest.raises(UsageError) as refused:
        price_check(models, budget=1.0)
    message = refused.value.message
    assert "the price of 'alpha-7b', 'zeta-13b' is unknown" in message
    assert message.count("zeta-13b") == 1 and "gpt-3.5-turbo" not in message
    assert "MODEL_PRICE_INPUT and MODEL_PRICE_OUTPUT" in message
