"""``--resume`` on a session stopped by its continuous limit goes on, with a fresh window."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import Reply, autogpt_reply
from tests.support.model_server import ModelServer


def _append(i: int) -> Reply:
    return autogpt_reply("append_to_file", {"filename": "log.txt", "text": f"step {i}\n"})


def _steps(workspace: Path) -> str:
    return (workspace / "log.txt").read_text(encoding="utf-8")


def test_resume_alone_goes_on_in_continuous_mode_for_the_same_window(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(_append(1), _append(2))
    assert run_agent(first, "-c", "-l", "2", "-y").returncode == 3
    second = model_server_factory(_append(3), _append(4))
    again = run_agent(second, "--resume", env=agent_env(second))
    assert again.returncode == 3, again.stdout
    assert "it stops after 2 more cycles" in again.stdout
    assert "Continuous limit of 2 reached" in again.stdout
    assert _steps(workspace) == "".join(f"step {i}\n" for i in range(1, 5))
    assert "Input:" not in again.stdout  # continuous: nothing was asked
    (state,) = (tmp_path / ".autogpt" / "sessions").glob("*/state.json")
    assert json.loads(state.read_text(encoding="utf-8"))["cycle"] == 4


def test_a_limit_given_on_resume_is_the_new_window(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(_append(1), _append(2))
    assert run_agent(first, "-c", "-l", "2", "-y").returncode == 3
    second = model_server_factory(*[_append(i) for i in range(3, 8)])
    again = run_agent(second, "--resume", "-l", "5", env=agent_env(second))
    assert again.returncode == 3, again.stdout
    assert "it stops after 5 more cycles" in again.stdout
    assert "Continuous limit of 5 reached" in again.stdout
    assert _steps(workspace) == "".join(f"step {i}\n" for i in range(1, 8))


def test_a_finished_task_after_resume_exits_0(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(_append(1), _append(2))
    assert run_agent(first, "-c", "-l", "2", "-y").returncode == 3
    second = model_server_factory(_append(3), autogpt_reply("task_complete", {"reason": "done"}))
    again = run_agent(second, "--resume", env=agent_env(second))
    assert again.returncode == 0, again.stdout
