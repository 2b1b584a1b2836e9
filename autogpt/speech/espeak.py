"""espeak-ng from the system: the offline engine, a voice per utterance from its text."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from autogpt.speech.children import Children
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.language import CHINESE, ENGLISH, voice_for

SYNTHESIS_TIMEOUT = 60.0


class Espeak:
    def __init__(self, program: str, children: Children) -> None:
        self.program = program
        self.children = children
        self.chinese = _has_voice(program, CHINESE)
        """Some builds and minimal images leave the Chinese voice out: all text is English then,
        rather than every utterance failing."""

    def describe(self) -> str:
        if not self.chinese:
            return "espeak-ng (no Chinese voice installed: all text in en)"
        return "espeak-ng (Chinese text in the cmn voice, other text in en)"

    def synthesize(self, text: str) -> bytes:
        """The WAV of ``text``; the text goes on standard input (UTF-8), never as an argument."""
        with tempfile.TemporaryDirectory(prefix="autogpt-speech-") as folder:
            out = Path(folder) / "speech.wav"
            voice = voice_for(text) if self.chinese else ENGLISH
            argv = [self.program, "-v", voice, "-b", "1", "--stdin", "-w", str(out)]
            if not self.children.run(argv, stdin=text.encode("utf-8"), timeout=SYNTHESIS_TIMEOUT):
                return b""
            wav = out.read_bytes() if out.exists() else b""
        if not wav.startswith(b"RIFF"):
            raise SpeechFailed("espeak-ng wrote no WAV audio")
        return wav


def _has_voice(program: str, voice: str) -> bool:
    """Whether ``espeak-ng --voices=VOICE`` lists it (a voice missing fails every utterance)."""
    try:
        listed = subprocess.run(
            [program, f"--voices={voice}"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.split()[1:2] == [voice] for line in listed.splitlines()[1:] if line.strip())
