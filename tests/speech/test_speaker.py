"""The queue and its thread. The engine and output here are in-process recorders (not model
clients): what is under test is the threading, with a gate the test opens."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import pytest

from autogpt.speech.children import Children
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.output import Player
from autogpt.speech.speaker import Speaker


class GatedEngine:
    """Blocks on each text until the test opens the gate; records what it was given."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.texts: list[str] = []
        self.fail_on = fail_on

    def describe(self) -> str:
        return "gated"

    def synthesize(self, text: str) -> bytes:
        self.texts.append(text)
        self.started.set()
        assert self.gate.wait(30), "the test never opened the gate"
        if text == self.fail_on:
            raise SpeechFailed("no audio device")
        return b"RIFF" + text.encode()


class Collected:
    def __init__(self) -> None:
        self.wavs: list[bytes] = []

    def describe(self) -> str:
        return "collected"

    def put(self, wav: bytes) -> None:
        self.wavs.append(wav)


def test_saying_returns_while_the_engine_is_still_busy() -> None:
    engine, out = GatedEngine(), Collected()
    speaker = Speaker(engine, out, Children())
    speaker.say("one")
    assert engine.started.wait(30)
    speaker.say("two")  # the engine holds "one": this must not wait for it
    assert out.wavs == []
    engine.gate.set()
    assert speaker.wait_idle(30)
    assert out.wavs == [b"RIFFone", b"RIFFtwo"]


def test_a_backlog_drops_the_oldest_waiting_texts_and_keeps_the_newest() -> None:
    engine, out = GatedEngine(), Collected()
    speaker = Speaker(engine, out, Children(), capacity=2)
    speaker.say("first")
    assert engine.started.wait(30)
    for text in ("a", "b", "c", "last"):
        speaker.say(text)
    engine.gate.set()
    assert speaker.wait_idle(30)
    assert engine.texts == ["first", "c", "last"]
    assert speaker.dropped == 2


def test_the_first_failure_turns_speech_off_and_is_kept_once() -> None:
    engine, out = GatedEngine(fail_on="bad"), Collected()
    speaker = Speaker(engine, out, Children())
    engine.gate.set()
    speaker.say("bad")
    speaker.say("after")
    assert speaker.wait_idle(30)
    assert speaker.failure == "no audio device"
    speaker.say("later")
    assert speaker.wait_idle(30)
    assert engine.texts == ["bad"] and out.wavs == []


def test_waiting_at_the_end_stops_when_asked_to_and_close_ends_the_speech() -> None:
    engine, out = GatedEngine(), Collected()
    speaker = Speaker(engine, out, Children())
    speaker.say("long")
    assert engine.started.wait(30)
    assert speaker.wait_idle(30, stop=lambda: True) is False  # a stop signal came
    speaker.say("queued")
    speaker.close()
    engine.gate.set()
    assert speaker.wait_idle(30)
    assert out.wavs == [] and engine.texts == ["long"]


class Wav:
    def describe(self) -> str:
        return "wav"

    def synthesize(self, text: str) -> bytes:
        return b"RIFF" + text.encode()


def test_closing_ends_the_player_with_its_children_and_leaves_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A player script that runs a long child: closing (the run's end) ends both."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    pid_file = tmp_path / "pid"
    script = tmp_path / "aplay"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n", encoding="utf-8")
    script.chmod(0o755)
    children = Children()
    speaker = Speaker(Wav(), Player(str(script), (), children), children)
    speaker.say("a long thought")
    for _ in range(600):
        if pid_file.exists() and pid_file.read_text(encoding="utf-8").strip():
            break
        time.sleep(0.05)
    grandchild = int(pid_file.read_text(encoding="utf-8"))
    speaker.close()
    for _ in range(200):  # killed: gone once reaped (or a zombie until then)
        if not _alive(grandchild):
            break
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert list(temp.iterdir()) == []
    assert speaker.failure is None  # being stopped is no failure


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
