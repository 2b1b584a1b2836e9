"""Helper agents in a real run (``python -m autogpt`` against the scripted server): what the
helper's requests carry, which model they use under ``--gpt4only``, their cost against the
budget, ``--resume`` with helpers alive, and the JSON-lines output of their events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import RequestRecord, autogpt_reply, reply
from tests.support.model_server import ModelServer

Start = Callable[..., ModelServer]
START = {"name": "researcher", "task": "find ice cream prices", "prompt": "List three flavours."}
OPENING = (
    "You are researcher. Your task is as follows: find ice cream prices\n\nList three flavours."
)


def _journal(tmp_path: Path) -> list[dict[str, Any]]:
    (path,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _is_helper(record: RequestRecord) -> bool:
    return not any(m.get("role") == "system" for m in record.messages)


def test_start_message_list_and_delete_run_a_helper_conversation_of_its_own(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(
        autogpt_reply("start_agent", START),
        reply("Vanilla, chocolate, mango."),
        autogpt_reply("message_agent", {"key": "researcher", "message": "Which sells most?"}),
        reply("Vanilla, by far."),
        autogpt_reply("list_agents", {}),
        autogpt_reply("delete_agent", {"key": "1"}),
        autogpt_reply("task_complete", {"reason": "done"}),
    )
    write_profile(tmp_path)
    done = run_agent(server, "-c", "-l", "6", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Helper agents: on, at most 5 at once (MAX_HELPER_AGENTS)" in done.stdout
    helpers = [r for r in server.requests if _is_helper(r)]
    assert [r.index for r in helpers] == [1, 3]
    assert all(r.tools is None and r.model == "gpt-3.5-turbo" for r in helpers)
    assert helpers[0].messages == [{"role": "user", "content": OPENING}]
    assert helpers[1].messages == [
        {"role": "user", "content": OPENING},
        {"role": "assistant", "content": "Vanilla, chocolate, mango."},
        {"role": "user", "content": "Which sells most?"},
    ]
    told = [server.requests[i].last_user_message or "" for i in (2, 4, 5, 6)]
    assert "Agent researcher created with key 1. First response: Vanilla, chocolate" in told[0]
    assert "Agent researcher (key 1) replied: Vanilla, by far." in told[1]
    assert "List of agents (1 of at most 5):\n1: researcher - find ice cream prices" in told[2]
    assert "Agent researcher (key 1) deleted." in told[3]
    events = _journal(tmp_path)
    kinds = [e["type"] for e in events if e["type"].startswith("helper_")]
    assert kinds == ["helper_started", "helper_replied", "helper_deleted"]
    purposes = [e["purpose"] for e in events if e["type"] == "request"]
    assert purposes.count("helper_agent") == 2 and purposes.count("main") == 5
    assert "Agent researcher created with key 1." in done.stdout  # the result, on the terminal
    assert done.stdout.count("Cost (helper agent): $") == 2  # each helper request's cost line


def test_gpt4only_runs_the_helpers_on_the_smart_model(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    """Auto-GPT's start_agent always took FAST_LLM_MODEL from .env, whatever --gpt4only said."""
    server = model_server_factory(
        autogpt_reply("start_agent", START),
        reply("Vanilla."),
        autogpt_reply("message_agent", {"key": "1", "message": "And the price?"}),
        reply("Two dollars."),
        autogpt_reply("task_complete", {"reason": "done"}),
    )
    write_profile(tmp_path)
    env = agent_env(server, SMART_LLM_MODEL="gpt-4", FAST_LLM_MODEL="gpt-3.5-turbo")
    done = run_agent(server, "-c", "-l", "3", "-y", "--gpt4only", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r.model for r in server.requests] == ["gpt-4"] * 5
    assert sum(_is_helper(r) for r in server.requests) == 2


def test_the_helpers_spending_counts_toward_the_budget_and_stops_the_run(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    """The helper's long answer ($0.24 at gpt-4's price) is what exhausts the $0.30: the main
    requests alone cost a fraction of it."""
    server = model_server_factory(
        autogpt_reply("start_agent", START),
        reply("flavour " * 4000),
    )
    write_profile(tmp_path)
    env = agent_env(server, FAST_LLM_MODEL="gpt-4")
    done = run_agent(server, "-c", "-l", "5", "-y", "--budget", "0.3", env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Budget of $0.30 reached" in done.stdout
    requests = [e for e in _journal(tmp_path) if e["type"] == "request"]
    helper = sum(e["cost"] for e in requests if e["purpose"] == "helper_agent")
    main = sum(e["cost"] for e in requests if e["purpose"] == "main")
    assert helper > 0.2 and main < 0.1 and helper + main <= 0.3
    (end,) = [e for e in _journal(tmp_path) if e["type"] == "end"]
    assert end["status"] == "budget" and end["cost_usd"] == pytest.approx(helper + main)


def test_resume_brings_the_helpers_back_with_their_conversations(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    first = model_server_factory(
        autogpt_reply("start_agent", START),
        reply("Vanilla, chocolate, mango."),
        autogpt_reply("message_agent", {"key": "1", "message": "Which sells most?"}),
        reply("Vanilla."),
    )
    write_profile(tmp_path)
    done = run_agent(first, "-c", "-l", "2", "-y")
    assert done.returncode == 3, done.stdout + done.stderr

    second = model_server_factory(
        autogpt_reply("message_agent", {"key": "researcher", "message": "And in winter?"}),
        reply("Chocolate."),
        autogpt_reply("task_complete", {"reason": "done"}),
    )
    again = run_agent(second, "--resume", env=agent_env(second))
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "Helper agents: on, at most 5 at once (MAX_HELPER_AGENTS); 1 running: 1 (researcher: "
        "find ice cream prices)" in again.stdout
    )
    assert second.requests[1].messages == [
        {"role": "user", "content": OPENING},
        {"role": "assistant", "content": "Vanilla, chocolate, mango."},
        {"role": "user", "content": "Which sells most?"},
        {"role": "assistant", "content": "Vanilla."},
        {"role": "user", "content": "And in winter?"},
    ]
    assert "Agent researcher (key 1) replied: Chocolate." in (
        second.requests[2].last_user_message or ""
    )


def test_with_max_helper_agents_0_the_screen_says_off_and_the_prompt_has_no_helper_commands(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(autogpt_reply("task_complete", {"reason": "done"}))
    write_profile(tmp_path)
    done = run_agent(server, "-c", "-l", "1", "-y", env=agent_env(server, MAX_HELPER_AGENTS="0"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Helper agents: off (MAX_HELPER_AGENTS=0)" in done.stdout
    system = server.requests[0].messages[0]["content"]
    assert "start_agent" not in system and "write_to_file" in system


def test_the_json_lines_output_carries_the_helper_events(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(
        autogpt_reply("start_agent", START),
        reply("Vanilla."),
        autogpt_reply("message_agent", {"key": "1", "message": "Price?"}),
        reply("Two dollars."),
        autogpt_reply("delete_agent", {"key": "researcher"}),
        autogpt_reply("task_complete", {"reason": "done"}),
    )
    done = run_agent(
        server, "-c", "-l", "5", "--goal", "find prices", "--output-format", "jsonl", stdin=None
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    helper = [line for line in lines if line["type"].startswith("helper_")]
    assert [{k: v for k, v in line.items() if k != "ts"} for line in helper] == [
        {
            "type": "helper_started",
            "v": 1,
            "key": "1",
            "name": "researcher",
            "task": "find ice cream prices",
            "opening": OPENING,
            "reply": "Vanilla.",
        },
        {
            "type": "helper_replied",
            "v": 1,
            "key": "1",
            "message": "Price?",
            "reply": "Two dollars.",
            "dropped": 0,
        },
        {"type": "helper_deleted", "v": 1, "key": "1"},
    ]
    costs = [line for line in lines if line["type"] == "request"]
    assert [c["purpose"] for c in costs].count("helper_agent") == 2
    assert lines[-1]["type"] == "end"
    assert lines[-1]["cost_usd"] == pytest.approx(sum(c["cost"] for c in costs))
