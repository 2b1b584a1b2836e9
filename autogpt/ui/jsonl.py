"""``--output-format jsonl``: the run's events on standard output, one JSON object per line.

Every recorded event (``autogpt/events.py``) is written as the journal has it; warnings and
errors shown to the user are ``{"type": "warning", "level": ..., "text": ...}``; the last line is
always an ``end`` event (also when the run could not start: ``status`` ``error``). Nothing else
reaches standard output; text for people goes to standard error.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from autogpt.agent.events import Shown
from autogpt.events import Ended, Started, Warned, _Event


class JsonLines:
    """The ``show`` of the run's events (display updates are left to the text on stderr), and
    the console's ``on_warn``: warnings before the start line wait for it."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.started = False
        self.ended = False
        self._early: list[dict[str, Any]] = []
        self.last_error = ""

    def __call__(self, event: Shown) -> None:
        if not isinstance(event, _Event):
            return
        self.write(event.record())
        if isinstance(event, Started) and not self.started:
            self.started = True
            for record in self._early:
                self.write(record)
            self._early.clear()
        self.ended = self.ended or isinstance(event, Ended)

    def warning(self, text: str, level: str = "warn") -> None:
        record = {**Warned(text=text).record(), "level": level}
        if level == "error":
            self.last_error = text
        if self.ended:  # the closing lines for people: the end event said it all
            return
        if self.started:
            self.write(record)
        else:
            self._early.append(record)

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    def end_without_run(self, exit_code: int) -> None:
        """The end line when no run ended: it could not start (a setting, a usage error), or
        there was none to run (a finished session resumed)."""
        if self.ended:
            return
        for record in self._early:
            self.write(record)
        self._early.clear()
        status = "finished" if exit_code == 0 else "error"
        self(Ended(status=status, reason=self.last_error, exit_code=exit_code, cycles=0))
