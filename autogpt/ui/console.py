"""The ONLY module that prints or reads the terminal.

Colour via rich; no colour or style when ``NO_COLOR`` is set, and plain text when stdout is not a
terminal. Everything that came from the model, a web page or a file is stripped of ANSI escapes
and control characters before it is printed, and is never interpreted as rich markup.

Prompts on a terminal use prompt_toolkit (line editing, wide characters, history per prompt),
imported on the first prompt so ``--help`` stays light; without a terminal they read plain lines.
Every wait shows a spinner with the seconds elapsed (on a terminal only).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console as RichConsole
from rich.text import Text

from autogpt.sanitize import clean_text as sanitize

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

__all__ = ["Console", "sanitize"]

SPINNER_REFRESH_PER_SECOND = 8
PREVIEW_REDRAW_SECONDS = 0.04
"""A preview (the thoughts streaming in) is redrawn at once, at most this often; until it shows
something, every 10 ms (the first thought appears as soon as it arrives)."""


def replace_unencodable_output() -> None:
    """On a console that is not UTF-8 (GBK on Chinese Windows, ``PYTHONIOENCODING=gbk``), a
    character it cannot show (an emoji in a model's thought) becomes ``?`` instead of ending
    the run with UnicodeEncodeError. Called once, before anything is printed."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and encoding not in ("utf-8", "utf8", "utf-8-sig"):
            reconfigure(errors="replace")


class _Waiting:
    """The spinner line: the innermost wait's label and the seconds since it began."""

    def __init__(self) -> None:
        from rich.spinner import Spinner

        self.spinner = Spinner("dots")
        self.waits: list[tuple[str, float]] = []
        self.preview: Any = None
        """Drawn under the spinner line while set (a renderable: the thoughts so far)."""

    def __rich__(self) -> Any:
        label, started = self.waits[-1] if self.waits else ("", time.monotonic())
        self.spinner.update(text=Text(f"{label} ({int(time.monotonic() - started)} s)"))
        if self.preview is None:
            return self.spinner
        from rich.console import Group

        return Group(self.spinner, self.preview)


class Console:
    def __init__(
        self, *, debug: bool = False, no_color: bool | None = None, to_stderr: bool = False
    ) -> None:
        """``to_stderr``: standard output is another program's (``--output-format jsonl``):
        everything for people, prompts included, goes to standard error, plain, no spinner."""
        import os

        self.plain = no_color if no_color is not None else bool(os.environ.get("NO_COLOR"))
        self.plain = self.plain or to_stderr
        self.to_stderr = to_stderr
        self.interactive = sys.stdin.isatty() and sys.stdout.isatty() and not to_stderr
        self.out = RichConsole(
            highlight=False,
            no_color=self.plain,
            soft_wrap=True,
            file=sys.stderr if to_stderr else None,
        )
        self.debug = debug
        self.on_warn: Callable[[str, str], None] | None = None
        """Told every warning and error shown, with its level (the JSON-lines output)."""
        self._waiting = _Waiting()
        self._live: Any = None
        self._drawn = 0.0
        self._sessions: dict[str, PromptSession[str]] = {}
        self._output: Any = None

    # --- printing ----------------------------------------------------------------------------
    def _style(self, style: str | None) -> str:
        return "" if self.plain or not style else style

    def line(self, text: str = "", style: str | None = None) -> None:
        """One line; a running spinner stays below it."""
        self.out.print(Text(sanitize(text), style=self._style(style)))

    def labelled(self, label: str, text: str, style: str) -> None:
        out = Text()
        out.append(label, style=self._style(style))
        out.append(" " + sanitize(text) if text else "")
        self.out.print(out)

    def info(self, text: str) -> None:
        self.line(text, "cyan")

    def warn(self, text: str) -> None:
        self.labelled("WARNING:", text, "bold yellow")
        if self.on_warn is not None:
            self.on_warn(sanitize(text), "warn")

    def error(self, text: str) -> None:
        self.labelled("ERROR:", text, "bold red")
        if self.on_warn is not None:
            self.on_warn(sanitize(text), "error")

    def dim(self, text: str) -> None:
        self.line(text, "dim")

    # --- waiting -----------------------------------------------------------------------------
    def start_spinner(self, label: str) -> None:
        """Show ``label`` and the seconds elapsed until :meth:`stop_spinner` (terminal only)."""
        self._waiting.waits[:] = [(label, time.monotonic())]
        self._show_spinner()

    def stop_spinner(self) -> None:
        if self._live is not None:
            self._live.stop()  # before the label goes: stop() draws once more
            self._live = None
        self._waiting.waits.clear()
        self._waiting.preview = None

    @property
    def live(self) -> bool:
        """Whether a live region (the spinner) is on screen: a terminal, waiting."""
        return self._live is not None

    def preview(self, renderable: Any, *, urgent: bool = False) -> None:
        """Show ``renderable`` under the running spinner, redrawn now unless it was a moment
        ago (``urgent``: nothing of it showed yet). Nothing without a spinner on screen."""
        if self._live is None:
            return
        self._waiting.preview = renderable
        now = time.monotonic()
        if now - self._drawn >= (0.01 if urgent else PREVIEW_REDRAW_SECONDS):
            self._drawn = now
            self._live.refresh()

    @contextmanager
    def waiting(self, label: str) -> Iterator[None]:
        """A wait inside whatever else is shown waiting; the outer label comes back after it."""
        waits = self._waiting.waits
        waits.append((label, time.monotonic()))
        self._show_spinner()
        try:
            yield
        finally:
            if len(waits) == 1 and waits[0][0] == label:
                self.stop_spinner()
            elif waits and waits[-1][0] == label:
                waits.pop()

    def _show_spinner(self) -> None:
        if self._live is not None or not self.out.is_terminal or self.out.is_dumb_terminal:
            return
        if self.to_stderr:
            return
        from rich.live import Live

        self._live = Live(
            self._waiting,
            console=self.out,
            transient=True,
            refresh_per_second=SPINNER_REFRESH_PER_SECOND,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()

    # --- reading -----------------------------------------------------------------------------
    def ask(self, question: str, prompt: str = "Input:", *, hidden: bool = False) -> str:
        """One line from the user. Ctrl-D raises EOFError, Ctrl-C KeyboardInterrupt, each after
        moving to a new line."""
        self.stop_spinner()
        if question:
            self.out.print(Text(question, style=self._style("magenta")))
        self.out.file.flush()
        return sanitize(self._read(prompt, hidden=hidden)).replace("\n", " ")

    def ask_yes_no(self, question: str, default: bool = True) -> bool:
        hint = "Y/n" if default else "y/N"
        answer = self.ask("", f"{question} ({hint}): ").strip().lower()
        if not answer:
            return default
        return answer in ("y", "yes")

    def _read(self, prompt: str, *, hidden: bool) -> str:
        if self.interactive:
            try:
                return self._prompt_toolkit(prompt, hidden=hidden)
            except ImportError:
                pass
        try:
            if hidden and sys.stdin.isatty():
                import getpass

                return getpass.getpass(prompt)
            if self.to_stderr:  # input() would write the prompt to standard output
                self.out.print(prompt, end="")
                self.out.file.flush()
                return input()
            if sys.stdin.isatty():
                import readline  # noqa: F401  (line editing for input())
            return input(prompt)
        except (EOFError, KeyboardInterrupt):
            self.out.print()  # what comes next starts on its own line (prompt_toolkit does so)
            raise

    def _prompt_toolkit(self, prompt: str, *, hidden: bool) -> str:
        """Line editing with a history per kind of prompt ("Goal 2:" recalls "Goal 1:" answers);
        a hidden answer is never kept."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import DummyHistory
        from prompt_toolkit.output import create_output

        if self._output is None:
            self._output = create_output()
            # No cursor-position requests: there are no menus to make room for, and a terminal
            # that does not answer them would get prompt_toolkit's warning after 2 s.
            self._output.enable_cpr = False
        if hidden:
            return PromptSession(history=DummyHistory(), output=self._output).prompt(
                prompt, is_password=True
            )
        kind = re.sub(r"\d+", "#", prompt)
        if kind not in self._sessions:
            self._sessions[kind] = PromptSession(output=self._output)
        return self._sessions[kind].prompt(prompt)
