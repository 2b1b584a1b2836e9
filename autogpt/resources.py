"""Objects that live for the whole run (one browser, one Docker client), closed once at exit.

Below ``commands/``: the web and the sandbox keep their run-long objects here without knowing
what a command is; ``commands.context`` re-exports :class:`RunResources` for the commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


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
