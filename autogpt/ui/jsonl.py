"""``--output-format jsonl``: the run's events on standard output, one JSON object per line.

Every recorded event (``autogpt/events.py``) is written as the journal has it; warnings and
errors shown to the user are ``{"type": "warning", "level": ..., "text": ...}``; the last line is
always an ``end`` event (also when the run could not start: ``status`` ``error``). Nothing else
reaches standard output; text for people goes to standard error.

With ``--include-partial``, the thought of a reply streaming in comes too, as it arrives:
``{"type": "thought_delta", "offset": n, "text": ...}``, the text to put at character ``n`` of the
thought so far (0: a new reply, or a stream started again after it broke). A display update like
the terminal's live view: never journaled, never in the report, and the whole reply still comes
as its ``reply`` event.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any

from autogpt.agent.events import Shown, ThoughtDelta
from autogpt.events import Ended, Started, Warned, _Event
from autogpt.ui.live_thoughts import thought_so_far


class JsonLines:
    """The ``show`` of the run's events (display updates are left to the text on stderr), and
    the console's ``on_warn``: warnings before the start line wait for it."""

    def __init__(self, stream: IO[str] | None = None, *, include_partial: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.include_partial = include_partial
        self._thought = ""
        """The streaming reply's thought as written so far (``thought_delta`` lines)."""
        self.started = False
        self.ended = False
        self._early: list[dict[str, Any]] = []
        self.last_error = ""

    def __call__(self, event: Shown) -> None:
        if isinstance(event, ThoughtDelta):
            self._delta(event)
            return
        if not isinstance(event, _Event):
            return
        self._thought = ""  # the reply is whole (or failed): the next delta starts a new one
        self.write(event.record())
        if isinstance(event, Started) and not self.started:
            self.started = True
            for record in self._early:
                self.write(record)
            self._early.clear()
        self.ended = self.ended or isinstance(event, Ended)

    def _delta(self, event: ThoughtDelta) -> None:
        if not (self.include_partial and self.started) or self.ended:
            return
        thought = thought_so_far(event.text)
        offset = len(os.path.commonprefix([self._thought, thought]))
        if thought[offset:] or offset < len(self._thought):
            self.write({"type": "thought_delta", "offset": offset, "text": thought[offset:]})
        self._thought = thought

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
