"""What a reply can put on the user's screen is bounded: a model that sends tens of thousands
of characters of thoughts, or hundreds of plan steps, does not flood the terminal."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

LONG = "很长的想法" * 4_000  # 20,000 characters: under the reply cap, so the reply is used


def test_long_thoughts_and_plans_are_shown_shortened(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    plan = "\n".join(f"- step {n}" for n in range(500))
    model_server.script(
        [
            autogpt_reply(
                "list_files",
                {"directory": "."},
                text=LONG,
                reasoning=LONG,
                plan=plan,
                criticism=LONG,
            ),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Command list_files returned" in done.stdout
    assert len(done.stdout) < 15_000
    assert "step 0\n" in done.stdout and "step 499" not in done.stdout
