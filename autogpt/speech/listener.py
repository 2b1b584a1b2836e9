"""``--speak`` as a watcher of the run's shown events (after the journal and the state): each
proposal's ``speak`` thought, and the outcome, go to the speaker; nothing in the cycle knows.

At the run's end the outcome is said and the queue drained briefly (at most
:data:`DRAIN_SECONDS`, not at all after a Ctrl-C or a stop signal, and a Ctrl-C cuts it short)
before the end is passed on, so a failure is still reported in the JSON-lines output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from autogpt import shutdown
from autogpt.agent.events import Show, Shown
from autogpt.events import Ended, ReplyParsed
from autogpt.sanitize import clean_text

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.speech.speaker import Speaker
    from autogpt.ui.console import Console

DRAIN_SECONDS = 10.0
MAX_CHARS = 600
"""An utterance is cut to this (a thought read for minutes would lag far behind the run)."""
SILENT_ENDS = {"interrupted", "terminated", "hangup", "output_closed"}
"""Ends by Ctrl-C or a signal: nothing more is said, and the exit does not wait."""


class SpeechListener:
    def __init__(self, speaker: Speaker, show: Show, warn: Callable[[str], None]) -> None:
        self.speaker = speaker
        self.show = show
        self.warn = warn
        self._told = False

    def __call__(self, event: Shown) -> None:
        if isinstance(event, ReplyParsed):
            self._say(str(event.thoughts.get("speak") or ""))
        elif isinstance(event, Ended):
            self._end(event)
        self._tell_failure()
        self.show(event)

    def _say(self, text: str) -> None:
        text = " ".join(clean_text(text).split())[:MAX_CHARS]
        if text:
            self.speaker.say(text)

    def _end(self, event: Ended) -> None:
        if event.status not in SILENT_ENDS:
            head = "Finished" if event.status == "finished" else "Stopped"
            self._say(f"{head}: {event.reason}" if event.reason else head)
            self.speaker.wait_idle(DRAIN_SECONDS, stop=lambda: shutdown.received() is not None)
        self.speaker.close()

    def _tell_failure(self) -> None:
        if self.speaker.failure and not self._told:
            self._told = True
            self.warn(f"Speech is off: {self.speaker.failure}")


def with_speech(
    show: Show,
    settings: Settings,
    console: Console,
    *,
    wanted: bool,
    said: Callable[[str], None] | None = None,
) -> Show:
    """``show`` with speech when ``--speak`` or SPEAK_MODE asks for it; says whether it is on,
    with which engine and where the sound goes (to ``said``, for the start-up screen, or at
    once), and why not (a warning, at once)."""
    if not (wanted or settings.speak_mode):
        return show
    import atexit

    from autogpt.speech.children import Children  # only for a run that speaks
    from autogpt.speech.engines import choose_engine
    from autogpt.speech.output import choose_output
    from autogpt.speech.speaker import Speaker

    children = Children()
    engine = choose_engine(settings, children)
    output = choose_output(settings.speech_output_dir, children)
    if isinstance(engine, str):
        console.warn(f"Speech is off: {engine}.")
        return show
    if output is None:
        console.warn(
            "Speech is off: no audio player found (aplay, paplay or afplay); set "
            "SPEECH_OUTPUT_DIR to write .wav files instead."
        )
        return show
    (said or console.info)(f"Speech: on, {engine.describe()}, {output.describe()}.")
    speaker = Speaker(engine, output, children)
    atexit.register(speaker.close)  # a run that ends by our bug: no voice goes on after it
    return SpeechListener(speaker, show, console.warn)
