"""SIGTERM, SIGHUP and a closed standard output end a run as Ctrl-C does: the run loop sees a
``KeyboardInterrupt``, saves the run, writes the report and records the status; the exit status
then says which it was (128 + the signal's number, as a shell reports a process killed by it).

Without this, SIGTERM and SIGHUP kill the process (no report, ``status=running``), and a reader
that goes away (``| head -3``) gives a ``BrokenPipeError`` traceback and "Exception ignored" on
stderr. After the reader of stdout went away, what is printed goes to stderr (the end of the
run: its status and how to resume); if that is gone too, nowhere.
"""

from __future__ import annotations

import _thread
import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

EXIT_HANGUP = 128 + signal.SIGHUP  # 129
EXIT_OUTPUT_CLOSED = 128 + signal.SIGPIPE  # 141
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143


@dataclass(frozen=True)
class Stop:
    kind: str
    """The run's outcome, as recorded in the journal and shown by ``--list-sessions``."""
    what: str
    exit_code: int

    @property
    def reason(self) -> str:
        return f"{self.what}; the run is saved."


TERMINATED = Stop("terminated", "Terminated (SIGTERM)", EXIT_TERMINATED)
HANGUP = Stop("hangup", "Hung up (SIGHUP: the terminal went away)", EXIT_HANGUP)
OUTPUT_CLOSED = Stop(
    "output_closed", "Standard output was closed (its reader went away)", EXIT_OUTPUT_CLOSED
)
BY_SIGNAL = {signal.SIGTERM: TERMINATED, signal.SIGHUP: HANGUP}


class Shutdown(KeyboardInterrupt):
    """Raised in the main thread by a stop signal or a lost stdout; caught where Ctrl-C is."""

    def __init__(self, stop: Stop) -> None:
        super().__init__(stop.reason)
        self.stop = stop


_received: Stop | None = None
_holding = False


def received() -> Stop | None:
    """The stop that interrupted the run, if a signal or a lost stdout did (else Ctrl-C did)."""
    return _received


def install() -> None:
    """Handle SIGTERM and SIGHUP, and guard stdout and stderr; once, from the main thread. A
    signal that was ignored when we started (``nohup`` ignores SIGHUP) stays ignored."""
    for signum in BY_SIGNAL:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _on_signal)
    if sys.stderr is not None and not isinstance(sys.stderr, GuardedStream):
        sys.stderr = GuardedStream(sys.stderr, fallback=None)
    if sys.stdout is not None and not isinstance(sys.stdout, GuardedStream):
        sys.stdout = GuardedStream(sys.stdout, fallback=sys.stderr)


def hold() -> None:
    """From now on a stop is recorded but raises nothing (except in :func:`raising`): once the
    session's journal exists, only a cycle may be cut short by one, not the saving."""
    global _holding
    _holding = True


@contextmanager
def raising() -> Iterator[None]:
    """Stops raise inside the block (one that came while held is raised on entry), and are held
    again after it, whichever way it is left: so the code that handles the end of a cycle, and
    of the run, is never cut short by one."""
    global _holding
    _holding = False
    try:
        if _received is not None:
            raise Shutdown(_received)
        yield
    finally:
        _holding = True


def _on_signal(signum: int, frame: Any) -> None:
    _stop(BY_SIGNAL[signal.Signals(signum)])


def _stop(stop: Stop) -> None:
    """The first stop wins; later ones (a second SIGTERM while saving) change nothing."""
    global _received
    if _received is not None:
        return
    _received = stop
    if _holding:
        return
    if threading.current_thread() is threading.main_thread():
        raise Shutdown(stop)
    _thread.interrupt_main()  # a KeyboardInterrupt in the main thread; received() says why


class GuardedStream:
    """A text stream whose reader may go away (EPIPE, or EIO from a closed terminal): the first
    failed write stops the run (:data:`OUTPUT_CLOSED`), and from then on writes go to
    ``fallback`` (or nowhere). The stream's file descriptor is pointed at /dev/null, so the text
    still buffered in it is dropped quietly, at exit too."""

    def __init__(self, stream: TextIO, *, fallback: TextIO | GuardedStream | None) -> None:
        self._stream = stream
        self._fallback = fallback
        self._lost = False

    def write(self, text: str) -> int:
        if self._lost:
            return self._fallback.write(text) if self._fallback else len(text)
        try:
            return self._stream.write(text)
        except OSError as exc:
            self._lose(exc)
            return len(text)

    def flush(self) -> None:
        if self._lost:
            if self._fallback:
                self._fallback.flush()
            return
        try:
            self._stream.flush()
        except OSError as exc:
            self._lose(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _lose(self, exc: OSError) -> None:
        if not isinstance(exc, BrokenPipeError) and exc.errno != errno.EIO:
            raise exc
        self._lost = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
        _stop(OUTPUT_CLOSED)
