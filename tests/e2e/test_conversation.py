"""The model conversation end to end: tool calls, JSON fallback, the token budget and the
running summary, stuck detection, budget, transient failures, proxies from .env."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.e2e.scripted import Router, is_summary
from tests.support.model_script import autogpt_reply, drop, reply, tool_call_reply
from tests.support.model_server import ModelServer
from tests.support.openai_errors import context_length_exceeded, invalid_api_key, server_error
from tests.support.proxy_server import RecordingProxy
from tests.support.socks_server import RecordingSocksProxy


def _journal(tmp_path: Path) -> list[dict[str, Any]]:
    (path,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_tool_call_mode_runs_commands_and_sends_results_as_tool_messages(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            tool_call_reply("write_to_file", {"filename": "a.txt", "text": "hello"}),
            tool_call_reply("read_file", '{"filename": "a.txt",}'),  # malformed arguments
            tool_call_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server, "-c", "-l", "5", "-y", env=agent_env(model_server, OPENAI_FUNCTIONS="true")
    )
    assert done.returncode == 0, done.stdout
    first, second, third = model_server.requests
    assert first.body["tool_choice"] == "required"
    assert first.tools is not None
    assert {t["function"]["name"] for t in first.tools} >= {"write_to_file", "task_complete"}
    assert second.messages[-2]["role"] == "tool"
    assert second.messages[-2]["content"].startswith("Command write_to_file returned")
    assert third.messages[-2]["content"] == "Command read_file returned: hello"


def test_auto_mode_falls_back_to_json_when_the_endpoint_refuses_tools(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(tools_supported=False)
    write_profile(tmp_path)
    server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        server,
        "-c",
        "-l",
        "5",
        "-y",
        env=agent_env(server, OPENAI_FUNCTIONS="auto", FAST_TOKEN_LIMIT="16000"),
    )
    assert done.returncode == 0, done.stdout
    assert server.tool_rejections == 1
    assert "does not accept tool calls" in done.stdout
    assert all(r.tools is None for r in server.requests if r.answered_by.startswith("step"))
    assert (workspace / "a.txt").exists()


def test_auto_mode_keeps_json_when_tool_schemas_would_crowd_a_4k_window(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(
        model_server, "-c", "-l", "2", "-y", env=agent_env(model_server, OPENAI_FUNCTIONS="auto")
    )
    assert done.returncode == 0, done.stdout
    assert model_server.requests[0].tools is None
    assert "JSON replies" in done.stdout


def _read_parts(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path, parts: int
) -> tuple[Router, ModelServer, subprocess.CompletedProcess[str]]:
    """A continuous run reading ``parts`` 2 KB files against a 4097-token window, then done."""
    for i in range(parts):
        (workspace / f"part{i}.txt").write_text(
            f"Part {i}. " + "ice cream sales " * 128, encoding="utf-8"
        )
    router = Router(
        [autogpt_reply("read_file", {"filename": f"part{i}.txt"}) for i in range(parts)]
        + [autogpt_reply("task_complete", {"reason": "read everything"})]
    )
    server = model_server_factory(router, context_window=4097, loop=True)
    write_profile(tmp_path)
    done = run_agent(
        server,
        "-c",
        "-l",
        str(parts + 10),
        "-y",
        env=agent_env(server, FAST_LLM_MODEL="gpt-3.5-turbo-0613", FAST_TOKEN_LIMIT="4000"),
    )
    return router, server, done


def test_twelve_cycles_of_2kb_results_never_overflow_a_4097_window(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    router, server, done = _read_parts(model_server_factory, tmp_path, workspace, 12)
    assert done.returncode == 0, done.stdout
    assert router.main_left == 0
    assert server.overflows == 0
    for request in server.requests:
        assert request.prompt_tokens + request.body["max_tokens"] <= 4097
    # Old results were shortened (until folded into the summary); the newest stays word for word.
    events = _journal(tmp_path)
    assert any(e["type"] == "compacted" for e in events)
    last = server.requests[-1].messages
    assert last[-1]["content"].startswith("Command read_file returned: Part 11. ice cream")
    assert "Part 11" in last[-1]["content"] and len(last[-1]["content"]) > 2000
    sent = [m.get("content", "") for r in server.requests for m in r.messages]
    assert any("[... shortened:" in text for text in sent)


def test_a_long_run_folds_the_oldest_turns_into_a_summary_only_when_needed(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    router, server, done = _read_parts(model_server_factory, tmp_path, workspace, 30)
    assert done.returncode == 0, done.stdout
    assert router.main_left == 0 and server.overflows == 0
    assert 0 < router.summaries <= 31 * 0.1
    events = _journal(tmp_path)
    assert sum(e["type"] == "summary" for e in events) == router.summaries
    requests = server.requests
    for before, after in zip(requests, requests[1:], strict=False):
        if is_summary(before):
            assert after.messages[1]["content"].startswith("This reminds you of these events")
    for request in requests:
        assert request.prompt_tokens + request.body["max_tokens"] <= 4097


def test_each_request_extends_the_previous_one_and_repeats_only_the_newest_plan(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply(
                "write_to_file",
                {"filename": f"s{i}.md", "text": f"section {i}"},
                plan=f"- write s{i}.md\n- then s{i + 1}.md",
            )
            for i in range(4)
        ]
        + [autogpt_reply("task_complete", {"reason": "done"})]
    )
    done = run_agent(model_server, "-c", "-l", "8", "-y")
    assert done.returncode == 0, done.stdout
    requests = model_server.requests
    assert len(requests) == 5
    for before, after in zip(requests, requests[1:], strict=False):
        # Everything but the last message is carried unchanged (a provider's prompt cache hits).
        assert after.messages[: len(before.messages) - 1] == before.messages[:-1]
    last = requests[-1].messages
    assert "- write s3.md\n- then s4.md" in last[-1]["content"]
    assert not any("s2.md\n- then" in m["content"] for m in last)
    for message in last[2:-1:2]:  # past replies: the command, without the thoughts
        assert set(json.loads(message["content"])) == {"command"}


def test_repeated_command_is_warned_in_the_next_prompt_then_stopped(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("list_files", {"directory": "."})] * 5)
    done = run_agent(model_server, "-c", "-l", "10", "-y")
    assert done.returncode == 3
    assert "stuck:" in done.stdout
    warned = model_server.requests[3].messages[-1]["content"]
    assert "You seem to be stuck" in warned


def test_budget_stops_before_the_request_that_would_exceed_it(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    router = Router(
        [autogpt_reply("write_to_file", {"filename": f"f{i}.txt", "text": "x"}) for i in range(8)]
    )
    server = model_server_factory(router, loop=True)
    write_profile(tmp_path)
    done = run_agent(
        server,
        "-c",
        "-l",
        "8",
        "-y",
        "--budget",
        "0.1",
        env=agent_env(server, FAST_LLM_MODEL="gpt-4"),
    )
    assert done.returncode == 3
    assert "Budget of $0.10 reached" in done.stdout
    spent = sum(e["cost"] for e in _journal(tmp_path) if e["type"] == "request")
    assert 0 < spent <= 0.1
    assert 1 <= len(server.requests) < 8


def test_transient_failures_do_not_end_the_run(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [server_error(503), drop(), autogpt_reply("task_complete", {"reason": "done"})]
    )
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout
    assert "retry 1/6" in done.stdout and "retry 2/6" in done.stdout


def test_bad_key_exits_2_with_one_line_and_no_traceback(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([invalid_api_key()])
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stdout and "Traceback" not in done.stdout + done.stderr


def _run_behind_proxy(
    model_server: ModelServer, tmp_path: Path, dotenv_line: str
) -> subprocess.CompletedProcess[str]:
    """A one-cycle run whose model endpoint is a name only the proxy (set in .env) resolves."""
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    (tmp_path / ".env").write_text(dotenv_line + "\n", encoding="utf-8")
    env = agent_env(model_server, OPENAI_API_BASE=f"http://model.test:{model_server.port}/v1")
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    return run_agent(model_server, "-c", "-l", "3", "-y", env=env)


def test_proxy_from_dotenv_reaches_the_model_client(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    with RecordingProxy(resolve={"model.test": "127.0.0.1"}) as proxy:
        done = _run_behind_proxy(model_server, tmp_path, f"HTTP_PROXY={proxy.url}")
    assert done.returncode == 0, done.stdout
    assert any("model.test" in target for _, target in proxy.seen)


def test_a_socks5_proxy_with_a_password_from_dotenv_reaches_the_model_client(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    with RecordingSocksProxy(
        resolve={"model.test": "127.0.0.1"}, credentials=("agent", "s3cret")
    ) as proxy:
        socks = proxy.url.replace("socks5://", "socks5://agent:s3cret@")
        done = _run_behind_proxy(model_server, tmp_path, f"ALL_PROXY={socks}")
    assert done.returncode == 0, done.stdout
    assert f"model.test:{model_server.port}" in proxy.seen
    assert proxy.users and set(proxy.users) == {"agent"}
    assert "s3cret" not in done.stdout


def test_debug_prints_request_details_and_logs_bodies_without_the_key(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "3",
        "-y",
        "--debug",
        env=agent_env(model_server, OPENAI_API_KEY="sk-secret-123456"),
    )
    assert done.returncode == 0
    assert "request main model=gpt-3.5-turbo" in done.stdout
    body = (tmp_path / "logs" / "debug.jsonl").read_text(encoding="utf-8")
    assert '"messages"' in body
    for log in (tmp_path / "logs").iterdir():
        assert "sk-secret-123456" not in log.read_text(encoding="utf-8")


def test_a_local_model_with_a_2048_window_works(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    for i in range(4):
        (workspace / f"n{i}.txt").write_text("note " * 300, encoding="utf-8")
    router = Router(
        [autogpt_reply("read_file", {"filename": f"n{i}.txt"}) for i in range(4)]
        + [autogpt_reply("task_complete", {"reason": "done"})]
    )
    server = model_server_factory(router, context_window=2048, loop=True)
    write_profile(tmp_path)
    done = run_agent(
        server,
        "-c",
        "-l",
        "10",
        "-y",
        env=agent_env(
            server,
            FAST_LLM_MODEL="llama-3-8b-instruct",
            FAST_TOKEN_LIMIT="1900",
            OPENAI_FUNCTIONS="auto",
        ),
    )
    assert done.returncode == 0, done.stdout
    assert router.main_left == 0 and server.overflows == 0
    assert all(r.tools is None for r in server.requests)


def test_a_write_cut_off_at_the_length_limit_is_not_run(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    cut = autogpt_reply("write_to_file", {"filename": "r.md", "text": "half a rep"})
    model_server.script(
        [
            reply(cut.text, finish_reason="length"),
            autogpt_reply("write_to_file", {"filename": "r.md", "text": "short"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y")
    assert done.returncode == 0, done.stdout
    assert (workspace / "r.md").read_text(encoding="utf-8") == "short"
    assert "cut off at the length limit" in model_server.requests[1].messages[-1]["content"]


def test_a_context_overflow_shrinks_retries_once_and_is_logged_as_a_bug(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [context_length_exceeded(), autogpt_reply("task_complete", {"reason": "done"})]
    )
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout
    assert len(model_server.requests) == 2
    assert "shrinking the history and retrying once" in done.stdout
    assert "BUG: context length exceeded" in (tmp_path / "logs" / "error.log").read_text(
        encoding="utf-8"
    )
