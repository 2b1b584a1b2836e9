"""Sessions saved by the version before typed events still resume, word for word.

The fixtures under ``fixtures/main-7be81af/`` were captured from that version (commit 7be81af):
its journal of a session, and the first request its own ``--resume`` sent. Resumed by today's
program against the scripted server, the same session's first request carries the same history,
message for message (the system prompt aside: it follows the commands of today's program).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import agent_env, run_agent
from tests.e2e.scripted import Router, is_summary
from tests.support.model_script import Reply, autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer

FIXTURES = Path(__file__).parent / "fixtures" / "main-7be81af"
CASES: dict[str, tuple[Reply, dict[str, str]]] = {
    # JSON replies, a 2,200-token window: a correction, an unusable reply, compaction, a summary
    "json-mode": (autogpt_reply("task_complete", {"reason": "x"}), {"FAST_TOKEN_LIMIT": "2200"}),
    # tool calls: two calls in one reply, feedback, `y -3`, a command killed while it ran
    "tool-mode": (tool_call_reply("task_complete", {"reason": "x"}), {"OPENAI_FUNCTIONS": "true"}),
}


def _install(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / ".autogpt" / "sessions" / f"20261201-000000-{case}"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / case / "journal.jsonl", folder / "journal.jsonl")
    return folder


@pytest.mark.parametrize("case", list(CASES))
def test_a_session_saved_by_the_previous_version_resumes_with_the_same_history(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path, case: str
) -> None:
    _install(tmp_path, case)
    answer, env = CASES[case]
    server = model_server_factory(Router([answer]), context_window=4000, loop=True)
    done = run_agent(server, "--resume", "-c", "-l", "1", env=agent_env(server, **env))
    assert "Traceback" not in done.stdout + done.stderr
    sent = [r.messages for r in server.requests if not is_summary(r)][0]
    expected: list[dict[str, Any]] = json.loads(
        (FIXTURES / case / "expected_first_request.json").read_text(encoding="utf-8")
    )
    assert sent[0]["role"] == "system"
    assert sent[1:] == expected[1:]


def test_the_report_of_an_old_session_counts_its_commands_and_costs(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    folder = _install(tmp_path, "json-mode")
    server = model_server_factory(autogpt_reply("task_complete", {"reason": "done"}))
    env = agent_env(server, FAST_TOKEN_LIMIT="2200")
    done = run_agent(server, "--resume", "-c", "-l", "1", env=env)
    assert done.returncode == 0, done.stdout[-2000:]
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "- read_file: 5" in report  # the old session's five reads, then the new finish
    assert "- task_complete: 1" in report
    assert "corrections of unusable replies: 4" in report
    lines = (FIXTURES / "json-mode" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    old_requests = sum(json.loads(line)["type"] == "request" for line in lines)
    assert f"gpt-3.5-turbo: {old_requests + 1} requests" in report  # the old ones and the new
