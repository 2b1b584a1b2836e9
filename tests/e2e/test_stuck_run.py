"""The stuck detector from the outside: a run that keeps failing stops, well before its limit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.e2e.harness import run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

NUDGE = "You seem to be stuck"


def test_alternating_failing_commands_stop_the_run_as_stuck_after_the_nudge(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """Two commands in turn, each failing, with new arguments every time (as a model does when
    it tries again): no exact repeat, yet nothing works. The run stops at cycle 8 of 20."""
    write_profile(tmp_path)
    steps = []
    for i in range(4):
        steps.append(autogpt_reply("read_file", {"filename": f"notes-{i}.txt"}))
        steps.append(autogpt_reply("write_to_file", {"filename": f"../out-{i}.txt", "text": "x"}))
    model_server.script(steps)
    done = run_agent(model_server, "-c", "-l", "20", "-y")
    assert done.returncode == 3, done.stdout
    assert "Stopped (stuck)" in done.stdout
    assert len(model_server.requests) == 8
    nudged = [i for i, r in enumerate(model_server.requests) if NUDGE in r.messages[-1]["content"]]
    assert nudged == [6]
    assert "status=stuck" in run_agent(None, "--list-sessions").stdout


def test_resuming_a_stuck_session_gives_the_model_a_fresh_start(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    """The user chose to go on: one more failure after the resume is not the end of it."""
    write_profile(tmp_path)
    steps = []
    for i in range(4):
        steps.append(autogpt_reply("read_file", {"filename": f"notes-{i}.txt"}))
        steps.append(autogpt_reply("write_to_file", {"filename": f"../out-{i}.txt", "text": "x"}))
    first = model_server_factory(*steps)
    stuck = run_agent(first, "-c", "-l", "20", "-y")
    assert "Stopped (stuck)" in stuck.stdout, stuck.stdout
    second = model_server_factory(
        autogpt_reply("read_file", {"filename": "missing.txt"}),
        autogpt_reply("write_to_file", {"filename": "done.txt", "text": "ok"}),
        autogpt_reply("task_complete", {"reason": "done"}),
    )
    done = run_agent(second, "--resume", "-c", "-l", "5")
    assert done.returncode == 0, done.stdout
    assert (workspace / "done.txt").read_text(encoding="utf-8") == "ok"
