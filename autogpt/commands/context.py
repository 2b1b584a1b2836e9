"""What a command is handed: the workspace, the settings, and narrow doors to the rest of the run.

Commands never import ``llm/`` or ``ui/``: a page summary goes through :attr:`ask_model`, a
progress line through :attr:`notify`, a browser that lives for the whole run through
:attr:`resources`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")

AskModel = Callable[[list[dict[str, str]], int], str]
"""(messages, max_tokens) -> reply text, on the fast model: a helper conversation of its own."""


def _estimate_tokens(text: str) -> int:
    return len(text.encode("utf-8")) // 3 + 1


class RunResources:
    """Objects shared across a run (one browser, one Docker client), closed once at exit."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[Any, Callable[[Any], None] | None]] = {}

    def get_or_create(
        self, key: str, factory: Callable[[], T], close: Callable[[T], None] | None = None
    ) -> T:
        if key not in self._items:
            self._items[key] = (factory(), close)
        return self._items[key][0]  # type: ignore[no-any-return]

    def get(self, key: str) -> Any | None:
        item = self._items.get(key)
        return item[0] if item else None

    def discard(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item and item[1]:
            try:
                item[1](item[0])
            except Exception:
                log.exception("closing %s failed", key)

    def close_all(self) -> None:
        for key in reversed(list(self._items)):
            self.discard(key)


@dataclass
class CommandContext:
    workspace: Workspace
    settings: Settings
    ask_model: AskModel | None = None
    count_tokens: Callable[[str], int] = _estimate_tokens
    result_budget_tokens: int = 1000
    """How many tokens a command's result may take in the next prompt (results are cut to it)."""
    notify: Callable[[str], None] = lambda message: None
    """A progress or warning line for the user (never for the model)."""
    resources: RunResources = field(default_factory=RunResources)
