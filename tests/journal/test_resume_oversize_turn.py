"""Every session can be resumed, whatever one reply contained: a journal holding a turn too big
for any request (as older versions wrote them) is resumed within the window, the turn folded
into the summary. ``python -m autogpt --resume`` against the scripted server (4,097 tokens)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.e2e.scripted import Router
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

WINDOW = 4097
HUGE = "x" * 60_000


def _flood(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": "read_file", "arguments": '{"filename": "a.txt"}'},
        }
        for i in range(n)
    ]


OVERSIZE = {
    "long-reply": [
        {"role": "assistant", "content": HUGE},
        {"role": "user", "content": "Your reply could not be used: no JSON"},
    ],
    "long-plan": [
        {
            "role": "assistant",
            "content": json.dumps(
                {
                    "thoughts": {"text": "t", "plan": "- " + HUGE},
                    "command": {"name": "list_files", "args": {"directory": "."}},
                }
            ),
        },
        {"role": "user", "content": "Command list_files returned: No files in '.'."},
    ],
    "tool-call-flood": [
        {"role": "assistant", "content": "", "tool_calls": _flood(3000)},
        *({"role": "tool", "tool_call_id": f"call_{i}", "content": "Not run"} for i in range(3000)),
    ],
}


@pytest.mark.parametrize("case", list(OVERSIZE))
def test_session_with_an_oversize_turn_resumes_within_the_window(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path, case: str
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(
        autogpt_reply("list_files", {"directory": "."}), context_window=WINDOW
    )
    assert run_agent(first, "-c", "-l", "1", "-y").returncode == 3
    (journal,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    with open(journal, "a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({"type": "unusable", "cycle": 2, "messages": OVERSIZE[case]}) + "\n"
        )
    router = Router([autogpt_reply("task_complete", {"reason": "done"})])
    second = model_server_factory(router, context_window=WINDOW, loop=True)
    done = run_agent(second, "--resume", "-l", "5", env=agent_env(second))
    assert done.returncode == 0, done.stdout[-2000:]
    assert router.main_left == 0
    for request in second.requests:
        assert request.answered_by != "context_length_exceeded"
        assert request.prompt_tokens + request.body["max_tokens"] <= WINDOW
