"""The listener between the recorder and the screen; the engine and output are in-process
recorders (what is under test is which texts are said, and when)."""

from __future__ import annotations

from autogpt.agent.events import Shown
from autogpt.events import Ended, ReplyParsed
from autogpt.speech.children import Children
from autogpt.speech.listener import SpeechListener
from autogpt.speech.speaker import Speaker
from tests.speech.test_speaker import Collected, Wav


def listen() -> tuple[SpeechListener, Collected, list[Shown], list[str]]:
    out, shown, warned = Collected(), list[Shown](), list[str]()
    speaker = Speaker(Wav(), out, Children())
    return SpeechListener(speaker, shown.append, warned.append), out, shown, warned


def reply(speak: str) -> ReplyParsed:
    return ReplyParsed(cycle=1, thoughts={"speak": speak}, command="list_files", args={})


def test_the_speak_thought_and_a_stopped_outcome_are_said_and_everything_passed_on() -> None:
    listener, out, shown, warned = listen()
    events: list[Shown] = [
        reply("Looking \x1b[31mnow\x1b[0m\n at the files."),
        Ended(status="limit", reason="Continuous limit of 1 reached", exit_code=3, cycles=1),
    ]
    for event in events:
        listener(event)
    assert out.wavs == [
        b"RIFFLooking now at the files.",
        b"RIFFStopped: Continuous limit of 1 reached",
    ]
    assert shown == events and warned == []


def test_an_end_by_ctrl_c_says_nothing_more_and_does_not_wait() -> None:
    listener, out, shown, _ = listen()
    listener(Ended(status="interrupted", reason="Interrupted by Ctrl-C", exit_code=130, cycles=1))
    assert out.wavs == [] and len(shown) == 1
    assert not listener.speaker.on  # closed: a voice still speaking is ended


def test_an_empty_speak_thought_is_not_said() -> None:
    listener, out, _, _ = listen()
    listener(reply("  "))
    listener(Ended(status="finished", reason="", exit_code=0, cycles=1))
    assert out.wavs == [b"RIFFFinished"]
