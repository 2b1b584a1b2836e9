"""A bounded queue of texts and one background thread that speaks them, so the run never waits.

When the texts come faster than they are spoken, the oldest waiting one is dropped (the newest
thought is the one that matters). The first failure turns speech off and is kept for the
listener to report once, from the run's own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from autogpt.speech.children import Children
from autogpt.speech.engines import Engine
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.output import Output

log = logging.getLogger(__name__)

CAPACITY = 4
"""Texts waiting at most; one more is being spoken."""
CLOSE_SECONDS = 1.0
"""How long closing waits for the thread once its program is ended."""


class Speaker:
    def __init__(
        self,
        engine: Engine,
        output: Output,
        children: Children,
        *,
        capacity: int = CAPACITY,
    ) -> None:
        self.engine = engine
        self.output = output
        self.children = children
        self.capacity = capacity
        self.spoken = 0
        self.dropped = 0
        self.failure: str | None = None
        """Why speech went off (``None`` while it works)."""
        self._waiting: deque[str] = deque()
        self._busy = False
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def on(self) -> bool:
        return self.failure is None and not self._closed

    def say(self, text: str) -> None:
        """Queue ``text``; returns at once."""
        with self._changed:
            if not self.on:
                return
            if len(self._waiting) >= self.capacity:
                self._waiting.popleft()
                self.dropped += 1
            self._waiting.append(text)
            if self._thread is None:  # started with the first text: nothing at start-up
                self._thread = threading.Thread(target=self._work, daemon=True, name="speech")
                self._thread.start()
            self._changed.notify_all()

    def wait_idle(self, seconds: float, *, stop: Callable[[], bool] = lambda: False) -> bool:
        """Wait up to ``seconds`` until everything queued is spoken (or speech is off), checking
        ``stop`` often; True if it all was. A Ctrl-C ends the wait (and only the wait)."""
        deadline = time.monotonic() + seconds
        try:
            with self._changed:
                while self.on and (self._waiting or self._busy):
                    left = deadline - time.monotonic()
                    if left <= 0 or stop():
                        return False
                    self._changed.wait(min(left, 0.1))
        except KeyboardInterrupt:
            return False
        return True

    def close(self) -> None:
        """Stop at once: nothing more is spoken and the program speaking now is ended."""
        with self._changed:
            self._closed = True
            self._waiting.clear()
            self._changed.notify_all()
        self.children.stop()
        if self._thread is not None:  # it ends at once now: let it clean up its files
            try:
                self._thread.join(CLOSE_SECONDS)
            except KeyboardInterrupt:
                pass

    def _work(self) -> None:
        while True:
            with self._changed:
                while not self._waiting and self.on:
                    self._changed.wait()
                if not self.on:
                    return
                text = self._waiting.popleft()
                self._busy = True
            failure = self._speak(text)
            with self._changed:
                self._busy = False
                if failure and not self._closed:
                    self.failure = failure
                    self._waiting.clear()
                self._changed.notify_all()

    def _speak(self, text: str) -> str | None:
        try:
            wav = self.engine.synthesize(text)
            if wav and not self.children.stopped:
                self.output.put(wav)
                self.spoken += 1
        except SpeechFailed as exc:
            return str(exc)
        except Exception as exc:  # our bug, or the system's: speech goes off, the run goes on
            log.exception("speech failed")
            return f"{type(exc).__name__}: {exc}"
        return None
