"""espeak-ng from the system: the offline engine, a voice per utterance from its text."""

from __future__ import annotations

import tempfile
from pathlib import Path

from autogpt.speech.children import Children
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.language import voice_for

SYNTHESIS_TIMEOUT = 60.0


class Espeak:
    def __init__(self, program: str, children: Children) -> None:
        self.program = program
        self.children = children

    def describe(self) -> str:
        return "espeak-ng (Chinese text in the cmn voice, other text in en)"

    def synthesize(self, text: str) -> bytes:
        """The WAV of ``text``; the text goes on standard input (UTF-8), never as an argument."""
        with tempfile.TemporaryDirectory(prefix="autogpt-speech-") as folder:
            out = Path(folder) / "speech.wav"
            argv = [self.program, "-v", voice_for(text), "-b", "1", "--stdin", "-w", str(out)]
            if not self.children.run(argv, stdin=text.encode("utf-8"), timeout=SYNTHESIS_TIMEOUT):
                return b""
            wav = out.read_bytes() if out.exists() else b""
        if not wav.startswith(b"RIFF"):
            raise SpeechFailed("espeak-ng wrote no WAV audio")
        return wav
