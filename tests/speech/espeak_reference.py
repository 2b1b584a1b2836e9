"""What espeak-ng itself makes of a text with a given voice: the reference the tests compare
the agent's audio with (espeak-ng is deterministic: the same text and voice give the same
bytes), so a file proves which voice read it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.system import need


def need_espeak() -> str:
    program = shutil.which("espeak-ng")
    need(program is not None, "espeak-ng is not installed (.ci/setup-speech.sh)")
    assert program is not None
    return program


def reference_wav(text: str, voice: str, folder: Path) -> bytes:
    out = folder / f"reference-{voice}.wav"
    subprocess.run(
        [need_espeak(), "-v", voice, "-b", "1", "--stdin", "-w", str(out)],
        input=text.encode("utf-8"),
        check=True,
    )
    return out.read_bytes()


def is_wav(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
