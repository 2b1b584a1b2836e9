"""The programs speech runs (espeak-ng, the player), each in a session of its own so that a
Ctrl-C at the terminal is the run's to handle, not theirs; :meth:`Children.stop` ends the one
running when the run ends, so no voice goes on after it."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from autogpt.process_group import kill_group
from autogpt.speech.failure import SpeechFailed


class Children:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def run(self, argv: list[str], *, stdin: bytes | None = None, timeout: float) -> bool:
        """Run ``argv`` to its end; False if it was stopped, SpeechFailed if it failed."""
        name = Path(argv[0]).name
        with self._lock:
            if self.stopped:
                return False
            try:
                child = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as exc:
                raise SpeechFailed(f"cannot run {name}: {exc.strerror or exc}") from None
            self._running.add(child)
        try:
            _, err = child.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(child.pid)
            child.wait()
            raise SpeechFailed(f"{name} took longer than {timeout:g} s") from None
        finally:
            with self._lock:
                self._running.discard(child)
        if self.stopped:
            return False
        if child.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            said = f": {lines[-1][:200]}" if lines else ""
            raise SpeechFailed(f"{name} exited with status {child.returncode}{said}")
        return True

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            for child in self._running:
                kill_group(child.pid)  # its own group: a player script's too
