"""The start-up screen: the model line says how replies come (tool calls or JSON), and the lines
of what issue K turns on (helper agents, cloning, speech, images) follow it. ``python -m
autogpt`` against the scripted model server, with the real espeak-ng writing files."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.speech.espeak_reference import need_espeak
from tests.support.model_script import autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer

ORDER = ("Model: ", "Helper agents: on", "Cloning: ", "Speech: on", "Image generation: on")


def _screen(model_server: ModelServer, tmp_path: Path, *, tools: bool) -> list[str]:
    need_espeak()
    write_profile(tmp_path)
    done_step = (
        tool_call_reply("task_complete", {"reason": "done"})
        if tools
        else autogpt_reply("task_complete", {"reason": "done"})
    )
    model_server.script([done_step])
    env = agent_env(
        model_server,
        OPENAI_FUNCTIONS="true" if tools else "false",
        EXECUTION_BACKEND="off",
        TTS_PROVIDER="espeak",
        SPEECH_OUTPUT_DIR=str(tmp_path / "speech"),
        IMAGE_PROVIDER="openai",
        IMAGE_PRICE="0.01",
    )
    done = run_agent(model_server, "--speak", "-c", "-l", "2", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def _positions(lines: list[str]) -> list[int]:
    return [next(i for i, line in enumerate(lines) if line.startswith(p)) for p in ORDER]


def test_a_tool_call_run_says_so_and_its_features_follow_the_model_line(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    lines = _screen(model_server, tmp_path, tools=True)
    positions = _positions(lines)
    assert "tool calls" in lines[positions[0]]
    assert positions == sorted(positions)


def test_a_json_run_says_json_replies(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    lines = _screen(model_server, tmp_path, tools=False)
    positions = _positions(lines)
    assert "JSON replies" in lines[positions[0]]
    assert positions == sorted(positions)
