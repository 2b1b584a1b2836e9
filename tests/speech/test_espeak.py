"""The real espeak-ng, as the agent runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from autogpt.speech.children import Children
from autogpt.speech.espeak import Espeak
from autogpt.speech.failure import SpeechFailed
from tests.speech.espeak_reference import is_wav, need_espeak, reference_wav

CHINESE = "我正在写一份关于冰淇淋的市场调查报告。"
ENGLISH = "I am writing a market report about ice cream."


def test_chinese_text_is_spoken_as_wav_by_the_chinese_voice(tmp_path: Path) -> None:
    wav = Espeak(need_espeak(), Children()).synthesize(CHINESE)
    assert is_wav(wav) and len(wav) > 20_000
    assert wav == reference_wav(CHINESE, "cmn", tmp_path)
    assert wav != reference_wav(CHINESE, "en", tmp_path)


def test_english_text_is_spoken_as_wav_by_the_english_voice(tmp_path: Path) -> None:
    wav = Espeak(need_espeak(), Children()).synthesize(ENGLISH)
    assert is_wav(wav) and len(wav) > 20_000
    assert wav == reference_wav(ENGLISH, "en", tmp_path)
    assert wav != reference_wav(ENGLISH, "cmn", tmp_path)


def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tmp_path: Path) -> None:
    wav = Espeak(need_espeak(), Children()).synthesize("--version")
    assert is_wav(wav)
    assert wav == reference_wav("--version", "en", tmp_path)


def test_an_espeak_that_fails_says_how(tmp_path: Path) -> None:
    broken = tmp_path / "espeak-ng"
    broken.write_text("#!/bin/sh\necho 'Failed to read voice' >&2\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    with pytest.raises(SpeechFailed, match="espeak-ng exited with status 1: Failed to read voice"):
        Espeak(str(broken), Children()).synthesize(ENGLISH)


def test_a_stopped_espeak_gives_no_audio_and_no_failure() -> None:
    children = Children()
    children.stop()
    assert Espeak(need_espeak(), children).synthesize(ENGLISH) == b""


def test_without_a_chinese_voice_chinese_text_is_read_in_english_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real espeak-ng whose data (ESPEAK_DATA_PATH) lacks the Chinese voice, as a minimal
    build can: the utterance is read by the English voice instead of failing."""
    import shutil
    import subprocess

    program = need_espeak()
    data_at = subprocess.run([program, "--version"], capture_output=True, text=True).stdout
    source = Path(data_at.split("Data at:")[1].strip())
    copy = tmp_path / "espeak-ng-data"
    shutil.copytree(source, copy, symlinks=True)
    for chinese in [*(copy / "lang").rglob("cmn*"), *copy.glob("cmn_dict")]:
        chinese.unlink()
    monkeypatch.setenv("ESPEAK_DATA_PATH", str(tmp_path))
    espeak = Espeak(program, Children())
    assert "no Chinese voice" in espeak.describe()
    wav = espeak.synthesize(CHINESE)
    assert is_wav(wav) and len(wav) > 10_000
