"""Where prices come from: the maker's list price in pydantic's ``genai-prices`` data, or a
``PRICES_FILE`` of your own (a relay's prices, a private deployment's).

A model is looked up by its name alone, never by the base URL: a proxy or relay in front of
OpenAI still costs OpenAI's price. ``genai_prices`` is imported on the first lookup (at the start
of a session), never on ``--help``: about 0.2 s alone, ~40 ms once ``openai`` (which shares its
HTTP library) is loaded, as it is for the first request anyway.

PRICES_FILE is YAML or JSON: model names (a trailing ``*`` matches a prefix) to US dollars per
million tokens, and optionally the model's window::

    gpt-5-mini: {input_mtok: 0.2, cache_read_mtok: 0.02, output_mtok: 1.6}
    "qwen3-*": {input_mtok: 0.3, output_mtok: 1.2, context_window: 131072}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from autogpt.errors import ConfigError

log = logging.getLogger(__name__)

MAKERS = ("openai", "deepseek", "moonshotai", "zai", "zhipuai")
"""Tried in turn when the data's own matching (by name) finds no maker for a model."""
FIELDS = ("input_mtok", "output_mtok", "cache_read_mtok", "context_window", "max_output")


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens; ``cache_read_mtok`` None: cached input costs as input."""

    input_mtok: float
    output_mtok: float
    cache_read_mtok: float | None = None
    context_window: int | None = None
    max_output: int | None = None
    source: str = "genai-prices"


def list_price(name: str) -> Price | None:
    """The maker's list price (and window) of ``name`` in genai-prices' data, or None."""
    return _list_price(name.lower())


@cache
def _list_price(name: str) -> Price | None:
    try:
        from genai_prices import Usage, calc_price
    except ImportError:  # pragma: no cover - a dependency; an install without it prices by hand
        log.warning("genai-prices is not installed: model prices are unknown")
        return None
    for maker in (None, *MAKERS):
        try:
            found = calc_price(Usage(input_tokens=0, output_tokens=0), name, provider_id=maker)
        except LookupError:
            continue
        prices = found.model_price
        if _amount(prices.input_mtok) is None:
            continue
        return Price(
            input_mtok=_amount(prices.input_mtok) or 0.0,
            output_mtok=_amount(prices.output_mtok) or 0.0,
            cache_read_mtok=_amount(prices.cache_read_mtok),
            context_window=found.model.context_window,
            source=f"genai-prices ({found.provider.id} {found.model.id})",
        )
    return None


def _amount(value: Any) -> float | None:
    """A price as a float; a tiered price (more per token past 272k prompt tokens) at its base
    rate, which is what a prompt within the token limit pays."""
    if value is None:
        return None
    base = getattr(value, "base", value)
    return float(base) if isinstance(base, (Decimal, int, float)) else None


def load_prices_file(path: str | None) -> dict[str, Price]:
    """PRICES_FILE's entries (names lower-cased); a file that cannot be used is a ConfigError."""
    if not path:
        return {}
    return _load(str(Path(path).expanduser()))


@cache
def _load(path: str) -> dict[str, Price]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"PRICES_FILE={path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"PRICES_FILE={path}: expected model names mapped to prices")
    table: dict[str, Price] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or "input_mtok" not in entry or "output_mtok" not in entry:
            raise ConfigError(
                f"PRICES_FILE={path}: {name!r} needs input_mtok and output_mtok "
                "(dollars per million tokens)"
            )
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise ConfigError(f"PRICES_FILE={path}: {name!r} has unknown fields {unknown}")
        try:
            table[str(name).lower()] = Price(
                input_mtok=float(entry["input_mtok"]),
                output_mtok=float(entry["output_mtok"]),
                cache_read_mtok=_optional(entry.get("cache_read_mtok"), float),
                context_window=_optional(entry.get("context_window"), int),
                max_output=_optional(entry.get("max_output"), int),
                source=f"PRICES_FILE {path}",
            )
        except (TypeError, ValueError):
            raise ConfigError(
                f"PRICES_FILE={path}: {name!r} has a value that is not a number"
            ) from None
    return table


def _optional(value: Any, kind: type[Any]) -> Any:
    return None if value is None else kind(value)


def overridden(table: dict[str, Price], name: str) -> Price | None:
    """The PRICES_FILE entry for ``name``: its exact name, else the longest ``prefix*``."""
    name = name.lower()
    if name in table:
        return table[name]
    prefixes = [k for k in table if k.endswith("*") and name.startswith(k[:-1])]
    return table[max(prefixes, key=len)] if prefixes else None
