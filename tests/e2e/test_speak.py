"""``--speak`` from the outside: ``python -m autogpt`` against the scripted model server, with
the real espeak-ng, SPEECH_OUTPUT_DIR or a player script on PATH, and the JSON-lines output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect

from tests.e2e.harness import agent_env, run_agent, spawn_agent, write_profile
from tests.speech.espeak_reference import is_wav, need_espeak, reference_wav
from tests.support import audio_speech
from tests.support.model_script import Reply, RequestRecord, autogpt_reply
from tests.support.model_server import ModelServer

SPOKEN = ["I will list the files first.", "我要写一份冰淇淋市场调查报告。"]
FLAGS = ("--speak", "-c", "-l", "5", "-y", "--output-format", "jsonl")


def three_steps() -> list[Reply]:
    return [
        autogpt_reply("list_files", {"directory": "."}, speak=SPOKEN[0]),
        autogpt_reply("write_to_file", {"filename": "r.txt", "text": "冰淇淋"}, speak=SPOKEN[1]),
        autogpt_reply("task_complete", {"reason": "the report is written"}, speak="Done."),
    ]


def records(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def warnings(stdout: str) -> list[str]:
    """The warnings about speech (continuous mode has its own)."""
    found = [r["text"] for r in records(stdout) if r["type"] == "warning"]
    return [text for text in found if "peech" in text or "espeak" in text]


def bin_with(tmp_path: Path, *, espeak: bool = True, **scripts: str) -> str:
    """A PATH of its own: espeak-ng (when asked) and the given scripts, no other player."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    if espeak:
        (folder / "espeak-ng").symlink_to(need_espeak())
    for name, body in scripts.items():
        (folder / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
        (folder / name).chmod(0o755)
    return str(folder)


def speak_env(server: ModelServer, **extra: str) -> dict[str, str]:
    return agent_env(server, EXECUTION_BACKEND="off", **extra)


def finished(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stdout + done.stderr
    end = records(done.stdout)[-1]
    assert end["type"] == "end" and end["status"] == "finished" and end["cycles"] == 3
    assert "Traceback" not in done.stderr
    return end


def test_each_speak_thought_and_the_outcome_are_written_as_wav_in_their_language(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    out = tmp_path / "speech"
    env = speak_env(model_server, SPEECH_OUTPUT_DIR=str(out), TTS_PROVIDER="espeak")
    done = run_agent(model_server, *FLAGS, env=env)
    end = finished(done)
    assert warnings(done.stdout) == []
    assert "Speech: on, espeak-ng" in done.stderr and str(out) in done.stderr
    outcome = f"Finished: {end['reason']}"
    expected = [(SPOKEN[0], "en"), (SPOKEN[1], "cmn"), ("Done.", "en"), (outcome, "en")]
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["0001.wav", "0002.wav", "0003.wav", "0004.wav"]
    for file, (text, voice) in zip(files, expected, strict=True):
        wav = file.read_bytes()
        assert is_wav(wav) and len(wav) > 10_000
        assert wav == reference_wav(text, voice, tmp_path), f"{file.name}: {text} ({voice})"


def test_without_an_audio_player_the_run_goes_on_with_one_warning(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    env = speak_env(model_server, PATH=bin_with(tmp_path))
    done = run_agent(model_server, *FLAGS, env=env)
    finished(done)
    (warning,) = warnings(done.stdout)
    assert warning.startswith("Speech is off: no audio player found")


def test_a_player_that_fails_turns_speech_off_with_one_warning(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    failing = "echo 'aplay: main:831: audio open error: No such file or directory' >&2\nexit 1\n"
    env = speak_env(model_server, PATH=bin_with(tmp_path, aplay=failing))
    done = run_agent(model_server, *FLAGS, env=env)
    finished(done)
    (warning,) = warnings(done.stdout)
    assert warning.startswith("Speech is off: aplay exited with status 1: aplay: main:831")


def test_espeak_missing_turns_speech_off_with_one_warning(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    env = speak_env(
        model_server,
        PATH=bin_with(tmp_path, espeak=False),
        TTS_PROVIDER="espeak",
        SPEECH_OUTPUT_DIR=str(tmp_path / "speech"),
    )
    done = run_agent(model_server, *FLAGS, env=env)
    finished(done)
    (warning,) = warnings(done.stdout)
    assert "espeak-ng is not installed" in warning
    assert not (tmp_path / "speech").exists()


def test_a_failing_speech_endpoint_turns_speech_off_with_one_warning(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    audio_speech.fail_with(model_server, 500)
    out = tmp_path / "speech"
    env = speak_env(model_server, TTS_PROVIDER="openai", SPEECH_OUTPUT_DIR=str(out))
    done = run_agent(model_server, *FLAGS, env=env)
    finished(done)
    (warning,) = warnings(done.stdout)
    assert (
        warning.startswith("Speech is off: the /audio/speech endpoint failed") and "500" in warning
    )
    assert len(model_server.other_requests) == 1  # off after the first failure
    assert not list(out.glob("*.wav"))


def test_the_openai_engine_sends_each_text_as_it_is(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    out = tmp_path / "speech"
    env = speak_env(model_server, TTS_PROVIDER="openai", SPEECH_OUTPUT_DIR=str(out))
    done = run_agent(model_server, *FLAGS, env=env)
    end = finished(done)
    sent = [r.body["input"] for r in model_server.other_requests]
    assert sent == [*SPOKEN, "Done.", f"Finished: {end['reason']}"]
    assert len(list(out.glob("*.wav"))) == 4


def test_a_slow_player_does_not_hold_up_the_cycles(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """The player blocks until the test opens its gate; the second reply is sent only once it
    is playing the first thought: the cycles after it run while it still plays."""
    write_profile(tmp_path)
    started, gate, played = tmp_path / "started", tmp_path / "gate", tmp_path / "played"
    touch, sleep = shutil.which("touch"), shutil.which("sleep")  # PATH has no tools
    player = (
        f"{touch} {started}\n"
        f"n=0; while [ ! -e {gate} ] && [ $n -lt 600 ]; do {sleep} 0.05; n=$((n+1)); done\n"
        f"echo played >> {played}\n"
    )

    def once_playing(record: RequestRecord) -> Reply:
        for _ in range(600):
            if started.exists():
                break
            time.sleep(0.05)
        assert started.exists(), "the player never started"
        second: Reply = three_steps()[1]
        return second

    first, _, last = three_steps()
    model_server.script([first, once_playing, last])
    env = speak_env(model_server, PATH=bin_with(tmp_path, aplay=player))
    agent = subprocess.Popen(
        [sys.executable, "-m", "autogpt", *FLAGS],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert agent.stdout is not None
        seen: list[dict[str, Any]] = []
        for line in agent.stdout:
            seen.append(json.loads(line))
            if seen[-1]["type"] == "command_finished" and seen[-1]["command"] == "task_complete":
                break
        # every cycle ran while the first thought was still being played
        assert not gate.exists() and not played.exists()
        assert [r["command"] for r in seen if r["type"] == "command_finished"] == [
            "list_files",
            "write_to_file",
            "task_complete",
        ]
        gate.touch()
        rest, errors = agent.communicate(timeout=60)
    finally:
        if agent.poll() is None:
            agent.kill()
    assert agent.returncode == 0, errors
    assert records(rest)[-1]["status"] == "finished"
    assert warnings("\n".join(json.dumps(r) for r in seen) + "\n" + rest) == []
    assert played.read_text(encoding="utf-8").count("played") == 4  # 3 thoughts, the outcome
    assert "Traceback" not in errors and os.path.exists(started)


def test_in_manual_mode_the_thought_is_spoken_while_the_answer_is_awaited(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """On a pseudo-terminal: the start-up line, the first thought's file written while the
    prompt waits, and after ``n`` the outcome."""
    write_profile(tmp_path)
    model_server.script(three_steps()[:1])
    out = tmp_path / "speech"
    env = speak_env(model_server, SPEECH_OUTPUT_DIR=str(out), SPEAK_MODE="True")
    child = spawn_agent(model_server, "-y", env=env)
    child.expect("Speech: on, espeak-ng")
    child.expect("Input:")
    for _ in range(600):  # the answer is not given until the thought's file is there
        if (out / "0001.wav").exists():
            break
        time.sleep(0.05)
    assert (out / "0001.wav").read_bytes() == reference_wav(SPOKEN[0], "en", tmp_path)
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert sorted(f.name for f in out.iterdir()) == ["0001.wav", "0002.wav"]
    assert "Speech is off" not in (child.before or "")


def test_a_resumed_run_goes_on_speaking_without_the_flag(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(three_steps())
    out = tmp_path / "speech"
    env = speak_env(model_server, SPEECH_OUTPUT_DIR=str(out), TTS_PROVIDER="espeak")
    first = run_agent(model_server, "--speak", "-c", "-l", "1", "--output-format", "jsonl", env=env)
    end = records(first.stdout)[-1]
    assert end["status"] == "limit", first.stdout + first.stderr
    spoken_first = len(list(out.iterdir()))
    assert spoken_first == 2  # the first thought, and the stop
    again = run_agent(
        model_server,
        "--resume",
        end["session"],
        "-c",
        "-l",
        "5",
        "--output-format",
        "jsonl",
        env=env,
    )
    assert records(again.stdout)[-1]["status"] == "finished", again.stdout + again.stderr
    assert "Speech: on, espeak-ng" in again.stderr
    assert len(list(out.iterdir())) == spoken_first + 3  # two thoughts and the outcome
