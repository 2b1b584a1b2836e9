"""The thoughts shown while a reply streams in: the ``"text"`` of the JSON being written, the
reasoning dimmed, on a terminal only, bounded whatever the reply holds."""

from __future__ import annotations

import io
import json

from rich.console import Console as RichConsole

from autogpt.agent.events import Thinking, ThoughtDelta
from autogpt.ui.console import Console
from autogpt.ui.live_thoughts import SHOWN_LINES, LiveThoughts, thought_so_far
from autogpt.ui.render import Renderer

REPLY = json.dumps(
    {"thoughts": {"text": 'I will "list" the files\nfirst. \u00e9t\u00e9', "plan": "- a"}}
)


def test_the_thought_is_read_from_the_unfinished_json() -> None:
    cut = REPLY.index("first") + 3
    assert thought_so_far(REPLY[:cut]) == 'I will "list" the files fir'
    assert thought_so_far(REPLY) == 'I will "list" the files first. été'
    assert thought_so_far('{"thoughts": {"te') == ""
    assert thought_so_far('{"thoughts": {"text": "half an escape \\') == "half an escape "
    assert thought_so_far('{"thoughts": {"text": "\\u00') == ""


def test_a_prose_reply_is_shown_as_it_is() -> None:
    assert thought_so_far("Let me think about this.") == "Let me think about this."
    assert thought_so_far("```json\n{") == ""


def _rendered(view: LiveThoughts, width: int = 60) -> str:
    out = RichConsole(file=io.StringIO(), width=width, color_system=None)
    view.width = width
    out.print(view)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


def test_a_hostile_reply_shows_a_few_lines_only() -> None:
    """Megabytes of text, nesting, escapes and control characters in the thought."""
    view = LiveThoughts(plain=True)
    hostile = '{"thoughts": {"text": "' + ("\\u001b[31m" + "x" * 50 + "[" * 50) * 20_000
    view.update(hostile, "r\x07" * 1_000_000)
    shown = _rendered(view)
    assert "\x1b" not in shown and "\x07" not in shown
    assert len(shown.splitlines()) <= 2 * SHOWN_LINES + 2
    assert "THOUGHTS SO FAR:" in shown


def _terminal_console() -> tuple[Console, io.StringIO]:
    console = Console(no_color=True)
    screen = io.StringIO()
    console.out = RichConsole(file=screen, force_terminal=True, width=80, color_system=None)
    return console, screen


def test_on_a_terminal_the_thoughts_show_under_the_spinner_as_they_arrive() -> None:
    console, screen = _terminal_console()
    render = Renderer(console)
    render(Thinking(True))
    render(ThoughtDelta(REPLY[: REPLY.index("files")], "pondering"))
    during = screen.getvalue()
    render(Thinking(False))
    assert 'THOUGHTS SO FAR: I will "list" the' in during and "pondering" in during
    assert console._waiting.preview is None


def test_without_a_terminal_nothing_of_the_stream_is_printed() -> None:
    console = Console(no_color=True)
    screen = io.StringIO()
    console.out = RichConsole(file=screen, force_terminal=False, width=80)
    render = Renderer(console)
    render(Thinking(True))
    render(ThoughtDelta(REPLY, "pondering"))
    render(Thinking(False))
    assert screen.getvalue() == ""
