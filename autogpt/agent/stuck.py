"""Stuck detection: the same command, the same error, an A-B-A-B ping-pong, or commands that
keep failing (each one different, none working: the model retrying with new arguments).

First the model is told plainly (in the next prompt) and asked to change course; if the pattern
persists for ``PERSIST_LIMIT`` more cycles, the run stops. One nudge per streak.
After OpenHands' StuckDetector (named thresholds, one nudge, then stop).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

SAME_COMMAND_REPEATS = 3
SAME_ERROR_REPEATS = 3
PING_PONG_CYCLES = 6
FAILURE_STREAK = 6
PERSIST_LIMIT = 2


@dataclass(frozen=True)
class StuckVerdict:
    nudge: str | None = None
    stop: str | None = None


@dataclass
class StuckDetector:
    history: list[tuple[str, str | None]] = field(default_factory=list)
    warned: bool = False
    persisted: int = 0
    failures: int = 0
    """Commands that failed in a row; a streak of them is stuck whatever the commands were."""

    def peek(self, command: str, args: dict[str, Any], error: str | None) -> StuckVerdict:
        """The verdict ``observe`` would give, leaving the detector as it is (the cycle asks
        before it records the command; applying the record observes it)."""
        return copy.deepcopy(self).observe(command, args, error)

    def observe(self, command: str, args: dict[str, Any], error: str | None) -> StuckVerdict:
        key = command + " " + json.dumps(args, sort_keys=True, ensure_ascii=False, default=str)
        self.history.append((key, error))
        self.history = self.history[-PING_PONG_CYCLES:]
        self.failures = self.failures + 1 if error else 0
        pattern = self._pattern()
        if pattern is None:
            self.warned = False
            self.persisted = 0
            return StuckVerdict()
        if not self.warned:
            self.warned = True
            return StuckVerdict(
                nudge=f"You seem to be stuck: {pattern}. This is not working. Change course: "
                "try a different command or different arguments, or call task_complete if the "
                "goals are done or cannot be done."
            )
        self.persisted += 1
        if self.persisted >= PERSIST_LIMIT:
            return StuckVerdict(stop=f"stuck: {pattern}")
        return StuckVerdict(nudge=f"You are still stuck: {pattern}. Do something different now.")

    def _pattern(self) -> str | None:
        keys = [k for k, _ in self.history]
        if len(keys) >= SAME_COMMAND_REPEATS and len(set(keys[-SAME_COMMAND_REPEATS:])) == 1:
            return f"the same command ({_short(keys[-1])}) {SAME_COMMAND_REPEATS} times in a row"
        errors = [e for _, e in self.history[-SAME_ERROR_REPEATS:]]
        if len(errors) == SAME_ERROR_REPEATS and errors[0] and len(set(errors)) == 1:
            return f"the same error {SAME_ERROR_REPEATS} times in a row ({_short(errors[0])})"
        if len(keys) >= PING_PONG_CYCLES:
            a, b = keys[-2], keys[-1]
            tail = keys[-PING_PONG_CYCLES:]
            if a != b and all(k == (a if i % 2 == 0 else b) for i, k in enumerate(tail)):
                return f"alternating between two commands ({_short(a)} / {_short(b)})"
        if self.failures >= FAILURE_STREAK:
            return f"the last {self.failures} commands all failed"
        return None


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
