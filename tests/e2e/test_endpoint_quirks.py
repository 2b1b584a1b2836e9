"""The real program against endpoints that refuse what OpenAI accepts (emulated from the
providers' documented errors, ``tests/support/provider_quirks.py``): the run adapts, says so once,
and a ``--resume`` starts already adapted, without being refused again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import Reply, autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer
from tests.support.provider_quirks import ProviderQuirks

Start = Callable[..., ModelServer]
KIMI = ProviderQuirks(refuse_required_tool_choice=True)


def _quirk_records(tmp_path: Path) -> list[dict[str, Any]]:
    (journal,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    lines = journal.read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == "quirk"]


def _append(i: int, *, tools: bool = False) -> Any:
    args = {"filename": "log.txt", "text": f"step {i}\n"}
    return (
        tool_call_reply("append_to_file", args) if tools else autogpt_reply("append_to_file", args)
    )


def test_a_refused_required_tool_choice_keeps_tool_calls_and_is_kept_on_resume(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    kimi = dict(FAST_LLM_MODEL="kimi-k2-0905-preview", OPENAI_FUNCTIONS="true")
    first = model_server_factory(_append(1, tools=True), _append(2, tools=True), quirks=KIMI)
    done = run_agent(first, "-c", "-l", "2", "-y", env=agent_env(first, **kimi))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.count('refuses tool_choice "required"') == 1
    assert "JSON reply format" not in done.stdout
    assert first.quirk_refusals == ["tool_choice"]
    assert [r.body.get("tool_choice") for r in first.requests] == ["required", "auto", "auto"]
    (record,) = _quirk_records(tmp_path)
    assert (record["name"], record["value"]) == ("tool_choice", "auto")

    second = model_server_factory(
        _append(3, tools=True), tool_call_reply("task_complete", {"reason": "done"}), quirks=KIMI
    )
    again = run_agent(second, "--resume", env=agent_env(second, **kimi))
    assert again.returncode == 0, again.stdout + again.stderr
    assert second.quirk_refusals == [] and "tool_choice" not in again.stdout
    assert all(r.body.get("tool_choice") == "auto" and r.tools for r in second.requests)
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\nstep 3\n"


def test_a_relay_answering_plain_json_is_asked_for_whole_replies_also_after_resume(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(_append(1), _append(2), streams=False)
    done = run_agent(first, "-c", "-l", "2", "-y", env=agent_env(first))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.count("does not stream replies") == 1
    assert [r.body.get("stream") for r in first.requests] == [True, None]
    (record,) = _quirk_records(tmp_path)
    assert (record["name"], record["value"]) == ("stream", False)

    second = model_server_factory(
        _append(3), autogpt_reply("task_complete", {"reason": "done"}), streams=False
    )
    again = run_agent(second, "--resume", env=agent_env(second))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "does not stream" not in again.stdout
    assert all("stream" not in r.body for r in second.requests)
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\nstep 3\n"


def test_a_window_the_server_states_is_used_from_then_on_and_after_resume(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    """FAST_TOKEN_LIMIT says 4000; the local server's window is 1400 and it says so."""
    write_profile(tmp_path)
    local = dict(FAST_LLM_MODEL="local-model", FAST_TOKEN_LIMIT="4000")
    first = model_server_factory(_append(1), _append(2), context_window=1400)
    done = run_agent(first, "-c", "-l", "2", "-y", env=agent_env(first, **local))
    assert done.returncode == 3, done.stdout + done.stderr
    assert first.overflows == 1
    assert done.stdout.count("window is 1,400 tokens") == 1
    assert "counting bug" not in done.stdout
    (record,) = _quirk_records(tmp_path)
    assert (record["name"], record["value"]) == ("context_window", {"local-model": 1400})

    second = model_server_factory(
        _append(3), autogpt_reply("task_complete", {"reason": "done"}), context_window=1400
    )
    again = run_agent(second, "--resume", env=agent_env(second, **local))
    assert again.returncode == 0, again.stdout + again.stderr
    assert second.overflows == 0 and "limit 1,400 tokens" in again.stdout
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\nstep 3\n"


def test_deepseek_reasoning_is_shown_never_acted_on_and_passed_back_on_tool_turns(
    model_server_factory: Start, tmp_path: Path, workspace: Path
) -> None:
    """DeepSeek's thinking mode: the reasoning is shown dimmed; a command written in it is not
    run; the tool-call turn carries it back, or DeepSeek would answer 400."""
    write_profile(tmp_path)
    (workspace / "keep.txt").write_text("keep", encoding="utf-8")
    lure = '{"command": {"name": "delete_file", "args": {"filename": "keep.txt"}}}'
    thinking = f"我想先列出文件。 {lure}"
    first = tool_call_reply("list_files", {"directory": "."}, text=None)
    server = model_server_factory(
        Reply(None, first.tool_calls, reasoning=thinking),
        tool_call_reply("task_complete", {"reason": "done"}),
        quirks=ProviderQuirks(deepseek_thinking=True),
    )
    env = agent_env(server, FAST_LLM_MODEL="deepseek-v4-flash", OPENAI_FUNCTIONS="true")
    done = run_agent(server, "-c", "-l", "4", "-y", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MODEL REASONING: 我想先列出文件。" in done.stdout
    assert (workspace / "keep.txt").exists()
    assert server.quirk_refusals == []
    turn = [m for m in server.requests[1].messages if m.get("tool_calls")]
    assert [m["reasoning_content"] for m in turn] == [thinking]
