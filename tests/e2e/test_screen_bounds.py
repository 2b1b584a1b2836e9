"""What a reply can put on the user's screen is bounded: a model that sends megabytes of
thoughts or thousands of plan steps does not flood the terminal."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import run_agent, write_profile
from tests.support.model_script import autogpt_reply

HUGE = "很长的想法" * 80_000  # 400,000 characters


def test_huge_thoughts_are_shown_shortened(model_server, tmp_path: Path,
                                           workspace: Path) -> None:
    write_profile(tmp_path)
    model_server.script([
        autogpt_reply("list_files", {"directory": "."}, text=HUGE, reasoning=HUGE,
                      criticism=HUGE, speak=HUGE),
        autogpt_reply("task_complete", {"reason": "done"}),
    ])
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout[-3000:]
    assert len(done.stdout) < 20_000
    assert done.stdout.count("... [400000 characters]") == 4
