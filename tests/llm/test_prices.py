"""Prices, windows and caps: genai-prices' list prices by the model's name (whatever the base
URL), cached input priced as cached, PRICES_FILE over both, our table for what the data lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from genai_prices import Usage, calc_price

from autogpt.errors import ConfigError
from autogpt.llm import catalog
from autogpt.llm.prices import load_prices_file


def _list(model: str, **usage: int) -> float:
    return float(calc_price(Usage(**usage), model).total_price)


@pytest.mark.parametrize(
    "model", ["gpt-6-luna", "gpt-6.1-sol", "gpt-5-mini", "deepseek-v4-flash", "kimi-k2.6"]
)
def test_a_known_model_costs_its_makers_list_price_with_cached_input_priced_as_cached(
    model: str,
) -> None:
    info = catalog.lookup(model, fallback_window=4000)
    assert info.priced and info.known and info.cached_per_1k is not None
    expected = _list(model, input_tokens=10_000, cache_read_tokens=8_000, output_tokens=500)
    assert catalog.cost(info, 10_000, 500, cached=8_000) == pytest.approx(expected)
    assert catalog.cost(info, 10_000, 500) > catalog.cost(info, 10_000, 500, cached=8_000)


def test_windows_come_from_the_data_and_else_from_our_table() -> None:
    assert catalog.lookup("gpt-6-luna", fallback_window=1).context_window == 1_050_000
    assert catalog.lookup("deepseek-v4-flash", fallback_window=1).context_window == 1_000_000
    qwen = catalog.lookup("qwen3-coder-plus", fallback_window=1)  # no Qwen prices in the data
    assert (qwen.context_window, qwen.known, qwen.priced, qwen.tools) == (262144, True, False, True)
    assert catalog.lookup("glm-4.6", fallback_window=1).priced  # Z.ai's list price
    assert catalog.lookup("gpt-5-mini", fallback_window=1).max_output == 128000


def test_the_current_defaults_are_reasoning_models_with_the_o200k_tokenizer() -> None:
    for model in ("gpt-6-luna", "gpt-6.1-sol", "gpt-5"):
        assert catalog.is_reasoning_model(model)
        assert catalog.encoding(model) == "o200k_base"
    assert not catalog.is_reasoning_model("gpt-4.1-mini")


def test_prices_file_overrides_by_name_and_by_prefix(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(
        "gpt-5-mini: {input_mtok: 1, cache_read_mtok: 0.5, output_mtok: 4}\n"
        '"qwen3-*": {input_mtok: 0.3, output_mtok: 1.2, context_window: 32768}\n',
        encoding="utf-8",
    )
    table = load_prices_file(str(path))
    relay = catalog.lookup("gpt-5-mini", fallback_window=1, overrides=table)
    assert catalog.cost(relay, 1_000_000, 1_000_000, cached=500_000) == pytest.approx(4.75)
    qwen = catalog.lookup("Qwen/Qwen3-235B-A22B", fallback_window=1, overrides=table)
    assert (qwen.priced, qwen.context_window, qwen.input_per_1k) == (True, 32768, 0.0003)
    assert qwen.cached_per_1k is None and "PRICES_FILE" in qwen.price_source


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- just a list\n", "expected model names mapped to prices"),
        ("m: {input_mtok: 1}\n", "needs input_mtok and output_mtok"),
        ("m: {input_mtok: 1, output_mtok: 2, colour: red}\n", "unknown fields"),
        ("m: {input_mtok: cheap, output_mtok: 2}\n", "not a number"),
    ],
)
def test_a_prices_file_that_cannot_be_used_is_one_clear_line(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / f"p{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=said):
        load_prices_file(str(path))
