"""The ONLY module that prints or reads the terminal.

Colour via rich; plain text when ``NO_COLOR`` is set or stdout is not a terminal. Everything that
came from the model, a web page or a file is stripped of ANSI escapes and control characters
before it is printed, and is never interpreted as rich markup.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console as RichConsole
from rich.text import Text

from autogpt.sanitize import clean_text as sanitize

__all__ = ["Console", "sanitize"]


class Console:
    def __init__(self, *, debug: bool = False, no_color: bool | None = None) -> None:
        import os

        plain = no_color if no_color is not None else bool(os.environ.get("NO_COLOR"))
        self.interactive = sys.stdin.isatty() and sys.stdout.isatty()
        self.out = RichConsole(
            highlight=False,
            no_color=plain,
            force_terminal=None if not plain else False,
            soft_wrap=True,
        )
        self.debug = debug
        self._status: Any = None

    # --- printing ----------------------------------------------------------------------------
    def line(self, text: str = "", style: str | None = None) -> None:
        self.stop_spinner()
        self.out.print(Text(sanitize(text), style=style or ""))

    def labelled(self, label: str, text: str, style: str) -> None:
        self.stop_spinner()
        out = Text()
        out.append(label, style=style)
        out.append(" " + sanitize(text) if text else "")
        self.out.print(out)

    def info(self, text: str) -> None:
        self.line(text, "cyan")

    def warn(self, text: str) -> None:
        self.labelled("WARNING:", text, "bold yellow")

    def error(self, text: str) -> None:
        self.labelled("ERROR:", text, "bold red")

    def dim(self, text: str) -> None:
        self.line(text, "dim")

    # --- waiting -----------------------------------------------------------------------------
    def start_spinner(self, label: str) -> None:
        if not self.out.is_terminal:
            return
        self.stop_spinner()
        self._status = self.out.status(label, spinner="dots")
        self._status.start()

    def stop_spinner(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    # --- reading -----------------------------------------------------------------------------
    def ask(self, question: str, prompt: str = "Input:") -> str:
        """One line from the user. Ctrl-D raises EOFError, Ctrl-C KeyboardInterrupt."""
        self.stop_spinner()
        if question:
            self.out.print(Text(question, style="magenta"))
        self.out.file.flush()
        return input(prompt)

    def ask_yes_no(self, question: str, default: bool = True) -> bool:
        hint = "Y/n" if default else "y/N"
        answer = self.ask("", f"{question} ({hint}): ").strip().lower()
        if not answer:
            return default
        return answer in ("y", "yes")
