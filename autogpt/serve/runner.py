"""A task's agent in its own thread, driven one step at a time.

The agent core is synchronous and asks through ``ask(question) -> answer``. Here ``ask`` hands
what the agent showed since the last answer to the waiting step (a :class:`Pause`) and blocks
until the next step brings an answer; when the run ends, the last pause says so. A step waits
on a ``concurrent.futures.Future``, so the server's event loop never blocks on a task's model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from autogpt.agent.events import Shown, ThoughtDelta
from autogpt.errors import AutogptError
from autogpt.session import Driver

log = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 5.0


@dataclass
class Pause:
    """What happened between two questions of the agent (or up to the end of its run)."""

    events: list[Shown] = field(default_factory=list)
    ended: bool = False
    exit_code: int | None = None
    error: str | None = None
    """An error that ended the run before its loop could record it (a bad budget, a bug)."""


class ServerStopping(KeyboardInterrupt):
    """Raised in a task's thread by its ``ask`` when the server stops: the run loop saves the
    session as interrupted, and the next step after a restart resumes it."""


class TaskRun:
    """One run of a task's session (a new one, or a resume after a restart)."""

    def __init__(self, name: str, start: Callable[[Driver], int]) -> None:
        self._name = name
        self._start = start
        self._lock = threading.Lock()
        self._answers: list[str | None] = []
        self._answered = threading.Condition(self._lock)
        self._events: list[Shown] = []
        self._pending: Future[Pause] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.ended = False

    def advance(self, answer: str) -> Future[Pause]:
        """Start the run (the answer is then unused: there is no proposal yet) or answer the
        question it waits on; the future resolves at its next question or its end."""
        future: Future[Pause] = Future()
        with self._lock:
            if self.ended:
                future.set_result(Pause(ended=True))
                return future
            self._pending = future
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._main, name=f"task-{self._name}", daemon=True
                )
                self._thread.start()
            else:
                self._answers.append(answer)
                self._answered.notify()
        return future

    def stop(self) -> threading.Thread | None:
        """The server stops: a run waiting for an answer ends as interrupted (saved, resumable).
        Returns its thread, for the caller to wait on a moment (one inside a model call or a
        command is then left to its journal, which a resume reads)."""
        with self._lock:
            self._stopping = True
            self._answers.append(None)
            self._answered.notify()
            return self._thread

    # --- in the task's thread ------------------------------------------------------------
    def _show(self, event: Shown) -> None:
        if isinstance(event, ThoughtDelta):
            return  # the live view of a reply streaming in: nothing a step reports
        with self._lock:
            self._events.append(event)

    def _ask(self, question: str) -> str:
        with self._lock:
            self._resolve(Pause(self._take_events()))
            while not self._answers:
                self._answered.wait()
            answer = self._answers.pop(0)
        if answer is None:
            raise ServerStopping("the server stops")
        return answer

    def _main(self) -> None:
        pause = Pause(ended=True)
        try:
            pause.exit_code = self._start(Driver(show=self._show, ask=self._ask))
        except AutogptError as exc:
            pause.error = exc.message
            pause.exit_code = exc.exit_code
        except Exception as exc:  # our bug: logged with its traceback, one line to the client
            log.exception("task %s: the run failed", self._name)
            pause.error = f"Internal error: {type(exc).__name__}: {exc}"
            pause.exit_code = 1
        with self._lock:
            self.ended = not self._stopping
            pause.ended = self.ended
            pause.events = self._take_events()
            self._resolve(pause)

    def _take_events(self) -> list[Shown]:
        events, self._events = self._events, []
        return events

    def _resolve(self, pause: Pause) -> None:
        future, self._pending = self._pending, None
        if future is not None and not future.done():
            future.set_result(pause)
