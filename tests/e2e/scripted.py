"""A router step for runs whose summary requests cannot be counted in advance."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from tests.support.model_script import RequestRecord, reply

SUMMARY_MARK = "You keep the running memory"


def is_summary(record: RequestRecord) -> bool:
    first = record.messages[0].get("content", "") if record.messages else ""
    return isinstance(first, str) and first.startswith(SUMMARY_MARK)


class Router:
    """Answers summary requests with a fixed summary and main requests with the next step.

    Use with ``ModelServer(loop=True)`` and check ``router.main_left == 0`` at the end.
    """

    def __init__(self, main_steps: Iterable[Any], summary: str = "I read the files.") -> None:
        self.main = deque(main_steps)
        self.summary = summary
        self.summaries = 0
        self.__name__ = "router"

    @property
    def main_left(self) -> int:
        return len(self.main)

    def __call__(self, record: RequestRecord) -> Any:
        if is_summary(record):
            self.summaries += 1
            return reply(f"{self.summary} (summary {self.summaries})")
        if not self.main:
            raise AssertionError("main script exhausted")
        return self.main.popleft()
