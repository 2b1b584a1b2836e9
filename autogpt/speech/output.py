"""Where an utterance goes: the system's player, or a numbered ``.wav`` in SPEECH_OUTPUT_DIR
(for users without audio, and for tests)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from autogpt.speech.children import Children
from autogpt.speech.failure import SpeechFailed

PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aplay", ("-q",)),
    ("paplay", ()),
    ("afplay", ()),
)
"""In the order tried: ALSA (which a PulseAudio or PipeWire desktop routes to its server),
PulseAudio's own, macOS's."""
PLAYBACK_TIMEOUT = 300.0
_NUMBERED = re.compile(r"^(\d{4,})\.wav$")


class Output(Protocol):
    def describe(self) -> str: ...
    def put(self, wav: bytes) -> None: ...


class WavFolder:
    """Utterances as 0001.wav, 0002.wav, ...: numbered on from the files already there, so a
    second run adds to the first; each file appears whole (written aside, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._next: int | None = None

    def describe(self) -> str:
        return f"written to {self.folder} as numbered .wav files"

    def put(self, wav: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._next is None:
                taken = [int(m[1]) for f in os.listdir(self.folder) if (m := _NUMBERED.match(f))]
                self._next = max(taken, default=0) + 1
            path = self.folder / f"{self._next:04d}.wav"
            aside = path.with_name(f".{path.name}.part")
            aside.write_bytes(wav)
            os.replace(aside, path)
        except OSError as exc:
            raise SpeechFailed(f"cannot write to {self.folder}: {exc.strerror or exc}") from None
        self._next += 1


class Player:
    def __init__(self, program: str, options: tuple[str, ...], children: Children) -> None:
        self.program = program
        self.options = options
        self.children = children

    def describe(self) -> str:
        return f"played through {Path(self.program).name}"

    def put(self, wav: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="autogpt-speech-") as folder:
            path = Path(folder) / "speech.wav"
            path.write_bytes(wav)
            self.children.run([self.program, *self.options, str(path)], timeout=PLAYBACK_TIMEOUT)


def choose_output(
    folder: str | None, children: Children, *, which: Callable[[str], str | None] = shutil.which
) -> Output | None:
    """The folder when given, else the first player found; None when there is neither."""
    if folder:
        return WavFolder(Path(folder).expanduser())
    for name, options in PLAYERS:
        program = which(name)
        if program:
            return Player(program, options, children)
    return None
