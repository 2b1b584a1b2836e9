from __future__ import annotations

from pathlib import Path

import pytest

from autogpt.speech.children import Children
from autogpt.speech.failure import SpeechFailed
from autogpt.speech.output import Player, WavFolder, choose_output


def test_utterances_are_numbered_on_from_the_files_already_there(tmp_path: Path) -> None:
    folder = tmp_path / "speech"
    folder.mkdir()
    (folder / "0002.wav").write_bytes(b"old")
    out = WavFolder(folder)
    out.put(b"RIFF1")
    out.put(b"RIFF2")
    assert sorted(p.name for p in folder.iterdir()) == ["0002.wav", "0003.wav", "0004.wav"]
    assert (folder / "0004.wav").read_bytes() == b"RIFF2"


def test_a_folder_that_cannot_be_written_fails_with_its_name(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(SpeechFailed, match="cannot write to .*file/speech"):
        WavFolder(blocker / "speech").put(b"RIFF")


def test_the_folder_wins_over_a_player_and_the_first_player_found_is_used() -> None:
    found = {"paplay": "/usr/bin/paplay", "afplay": "/usr/bin/afplay"}
    assert isinstance(choose_output("out", Children(), which=found.get), WavFolder)
    player = choose_output(None, Children(), which=found.get)
    assert isinstance(player, Player) and player.program == "/usr/bin/paplay"
    assert choose_output(None, Children(), which=lambda name: None) is None


def test_the_player_gets_the_wav_as_a_file(tmp_path: Path) -> None:
    player_log = tmp_path / "played"
    script = tmp_path / "aplay"
    script.write_text(f'#!/bin/sh\necho "$@" >> {player_log}\ncat "$2" >> {player_log}\n', "utf-8")
    script.chmod(0o755)
    Player(str(script), ("-q",), Children()).put(b"RIFF-audio")
    played = player_log.read_text(encoding="utf-8")
    assert played.startswith("-q ") and played.endswith("RIFF-audio")


def test_a_player_without_an_audio_device_fails_saying_so(tmp_path: Path) -> None:
    script = tmp_path / "aplay"
    script.write_text(
        "#!/bin/sh\necho 'aplay: main:831: audio open error: No such file or directory' >&2\n"
        "exit 1\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    with pytest.raises(SpeechFailed, match="aplay exited with status 1: .*audio open error"):
        Player(str(script), ("-q",), Children()).put(b"RIFF")
