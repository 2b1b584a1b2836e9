"""The AI given on the command line (``--ai-name``, ``--ai-role``, ``--goal``): a script runs
the agent without an ai_settings.yaml and without a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autogpt import cli
from autogpt.config import ai_profile
from tests.e2e.harness import run_agent
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer


def test_goals_on_the_command_line_run_without_a_settings_file(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "报告.md", "text": "冰淇淋\n"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "5",
        "--ai-name",
        "市场规划经理",
        "--ai-role",
        "写市场报告",
        "--goal",
        "写一篇关于冰淇淋的市场调查报告",
        "--goal",
        "要求100字",
        stdin=None,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (workspace / "报告.md").read_text(encoding="utf-8") == "冰淇淋\n"
    assert not (tmp_path / "ai_settings.yaml").exists()
    system = model_server.requests[0].messages[0]["content"]
    assert "市场规划经理" in system and "写市场报告" in system and "要求100字" in system
    (session,) = (tmp_path / ".autogpt" / "sessions").iterdir()
    start = json.loads((session / "journal.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert start["profile"]["ai_goals"] == ["写一篇关于冰淇淋的市场调查报告", "要求100字"]


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--goal", "a"] * 6, "at most 5 goals"),
        (["--ai-name", "x"], "--ai-name and --ai-role go with at least one --goal"),
        (["--goal", "  "], "--goal needs a text"),
        (["--goal", "a", "--resume"], "cannot be combined with --resume"),
    ],
)
def test_wrong_goal_flags_are_usage_errors(flags: list[str], said: str) -> None:
    done = run_agent(None, *flags)
    assert done.returncode == 2
    assert said in done.stderr


def test_the_cli_cap_on_goals_is_the_profiles() -> None:
    assert cli.MAX_GOALS == ai_profile.MAX_GOALS
