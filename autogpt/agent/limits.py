"""Every token bound of a run, computed once from the settings and the model catalog.

``FAST_TOKEN_LIMIT`` / ``SMART_TOKEN_LIMIT`` (whichever model the flags choose) is capped by the
model's known window, and by the window the endpoint states once it has (``WindowLearnt``); every
other bound is a share of that one number, here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from autogpt.llm.catalog import ModelInfo, is_reasoning_model
from autogpt.prompt.context import reply_reserve, summary_reserve

RESULT_SHARE = 0.25
"""A command's result may take this share of the window (cut once, by the cycle)."""


@dataclass(frozen=True)
class Limits:
    main_window: int
    """What a main request may take, prompt plus reply."""
    fast_window: int
    """What a summary or page-answer request may take."""
    reply_tokens: int
    """Kept for the main model's reply."""
    result_tokens: int
    summary_tokens: int
    """What the running summary may take."""
    memory_tokens: int
    """Recalled memories in the prompt."""

    @classmethod
    def compute(
        cls,
        *,
        main: ModelInfo,
        main_limit: int,
        fast: ModelInfo,
        fast_limit: int,
        memory_share: float = 0.0,
    ) -> Limits:
        """``main_limit``/``fast_limit``: the configured token limits of the models chosen."""
        window = min(main_limit, main.context_window)
        return cls(
            main_window=window,
            fast_window=min(fast_limit, fast.context_window),
            reply_tokens=reply_reserve(
                window, main.max_output, reasoning=is_reasoning_model(main.name)
            ),
            result_tokens=int(window * RESULT_SHARE),
            summary_tokens=summary_reserve(window),
            memory_tokens=int(window * memory_share),
        )

    def with_window(self, tokens: int, main: ModelInfo) -> Limits:
        """The bounds once the endpoint stated a smaller window than configured."""
        window = min(self.main_window, tokens)
        return replace(
            self,
            main_window=window,
            fast_window=min(self.fast_window, tokens),
            reply_tokens=reply_reserve(
                window, main.max_output, reasoning=is_reasoning_model(main.name)
            ),
            result_tokens=int(window * RESULT_SHARE),
            summary_tokens=summary_reserve(window),
            memory_tokens=int(self.memory_tokens * window / max(1, self.main_window)),
        )
