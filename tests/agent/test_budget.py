"""Unknown prices are stated: a budget that could never trigger is refused."""

import pytest

from autogpt.agent.budget import price_check
from autogpt.errors import UsageError
from autogpt.llm.catalog import lookup


def test_known_models_need_no_word() -> None:
    assert price_check([lookup("gpt-4o-mini", fallback_window=4000)], budget=1.0) is None


def test_an_unknown_model_without_a_budget_is_one_warning() -> None:
    info = lookup("qwen2.5-7b", fallback_window=4000)
    assert not info.priced
    warning = price_check([info, info], budget=0.0)
    assert warning is not None and warning.count("'qwen2.5-7b'") == 1


def test_an_unknown_model_with_a_budget_is_refused() -> None:
    with pytest.raises(UsageError, match=r"--budget \$2.00 cannot be enforced"):
        price_check([lookup("qwen2.5-7b", fallback_window=4000)], budget=2.0)


def test_a_configured_price_makes_the_budget_work() -> None:
    info = lookup("qwen2.5-7b", fallback_window=4000, price=(0.001, 0.002))
    assert info.priced and info.input_per_1k == 0.001 and info.output_per_1k == 0.002
    assert price_check([info], budget=2.0) is None
    free = lookup("qwen2.5-7b", fallback_window=4000, price=(0.0, None))
    assert free.priced and price_check([free], budget=2.0) is None
