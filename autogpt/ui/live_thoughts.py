"""The thoughts as they stream in, for the live region under the spinner.

A streamed reply is Auto-GPT's JSON being written: the view shows the ``"text"`` of its
thoughts read from the unfinished JSON (or the reply itself when it is prose), and the model's
reasoning dimmed. Bounded whatever the reply: only its first :data:`SCAN_CHARS` are read, at most
:data:`SHOWN_LINES` lines are shown, and the reading is done when the screen is drawn (a few
times a second), not once per chunk.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Group
from rich.text import Text

from autogpt.sanitize import clean_text

SCAN_CHARS = 16_000
SHOWN_LINES = 3
_TEXT_KEY = re.compile(r'"text"\s*:\s*"')
_PLAIN_RUN = re.compile(r'[^"\\]+')
_ESCAPES = {"n": " ", "t": " ", "r": "", "b": "", "f": "", "/": "/", '"': '"', "\\": "\\"}


def thought_so_far(reply: str) -> str:
    """The thought's text written so far: the ``"text"`` string of the JSON being written (up
    to its end, or the end of what has arrived), the reply itself when it is not JSON, or ""."""
    head = reply[:SCAN_CHARS]
    found = _TEXT_KEY.search(head)
    if found is None:
        return "" if head.lstrip()[:1] in ("{", "[", "`", "") else head
    return _partial_string(head, found.end())


def _partial_string(text: str, start: int) -> str:
    """A JSON string's content from ``start`` to its closing quote or the end of ``text``."""
    out: list[str] = []
    i, end = start, len(text)
    while i < end:
        run = _PLAIN_RUN.match(text, i)
        if run is not None:
            out.append(run.group())
            i = run.end()
            continue
        if text[i] == '"':
            break
        escape = text[i + 1 : i + 2]  # after a backslash
        if not escape:
            break
        if escape == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) < 4:
                break
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                pass
            i += 6
            continue
        out.append(_ESCAPES.get(escape, escape))
        i += 2
    return "".join(out)


class LiveThoughts:
    """The live view's content: set with :meth:`update`, read when the screen is drawn."""

    def __init__(self, label: str = "THOUGHTS SO FAR:", plain: bool = False) -> None:
        self.label = label
        self.plain = plain
        self.text = ""
        self.reasoning = ""
        self.width = 80
        self.shown_any = False
        """Something was drawn: from then on the screen is redrawn less often."""

    def update(self, text: str, reasoning: str) -> None:
        self.text, self.reasoning = text, reasoning

    def __rich__(self) -> Any:
        room = max(40, self.width * SHOWN_LINES - len(self.label) - 4)
        parts: list[Text] = []
        if self.reasoning:
            parts.append(Text(_tail(self.reasoning, room), style="" if self.plain else "dim"))
        thought = thought_so_far(self.text)
        if thought:
            line = Text()
            line.append(self.label, style="" if self.plain else "bold yellow")
            line.append(" " + _tail(thought, room))
            parts.append(line)
        self.shown_any = self.shown_any or bool(parts)
        return Group(*parts)


def _tail(text: str, room: int) -> str:
    """The newest ``room`` characters on one line, cleaned of escapes and control characters."""
    shown = clean_text(text[-room:]).replace("\n", " ")
    return ("..." + shown) if len(text) > room else shown
