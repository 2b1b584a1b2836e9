"""The agent with MCP tools, end to end: ``python -m autogpt`` with a servers file naming our
MCPServer test server, against the scripted model server. Nothing is mocked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect

from tests.e2e.harness import agent_env, run_agent, spawn_agent, write_profile
from tests.e2e.scripted import Router
from tests.support.mcp_servers import marked_processes, ours, write_servers_file
from tests.support.model_script import autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer

DONE = autogpt_reply("task_complete", {"reason": "done"})


def _system(server: ModelServer, index: int) -> Any:
    return server.requests[index].messages[0]["content"]


def test_scripted_model_calls_mcp_tools_and_reads_their_results(
    model_server_factory: Any, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"t": ours()})
    router = Router(
        [
            autogpt_reply("mcp__t__echo", {"text": "北京"}),
            autogpt_reply("mcp__t__fail", {"reason": "no such city"}),
            autogpt_reply("mcp__t__picture", {}),
            autogpt_reply("mcp__t__huge", {"size": 2_000_000}),
            autogpt_reply("mcp__t__echo", {"words": "x"}),
            DONE,
        ]
    )
    server = model_server_factory(router, loop=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogpt", "-c", "-l", "10", "-y"],
        env=agent_env(server),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert router.main_left == 0
    assert "MCP: 10 tools from 1 server (t)" in out
    mains = [i for i, r in enumerate(server.requests) if "task_complete" in str(_system(server, i))]
    system = _system(server, mains[0])
    assert "mcp__t__echo: Return the text unchanged; args: text" in system
    assert (
        "mcp__t__write_note: Write a note file in the server's working directory; args: name, text"
        in system
    )
    assert all(_system(server, i) == system for i in mains)  # the prompt cache holds
    results = [server.requests[i].messages[-1]["content"] for i in mains[1:]]
    assert results[0].startswith("Command mcp__t__echo returned: 北京")
    assert "Error: fail failed: Error executing tool fail: refused: no such city" in results[1]
    assert "[image: image/png, 67 bytes, not shown]" in results[2]
    assert "[Result cut to fit the context:" in results[3] and "of 2000000 characters" in results[3]
    assert "mcp__t__echo: missing argument 'text'; unexpected argument 'words'" in results[4]
    assert "Traceback" not in err
    assert marked_processes(proc.pid) == []


def test_a_server_that_cannot_start_is_warned_about_once_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(
        tmp_path, {"gone": {"command": str(tmp_path / "no-such-server")}, "t": ours()}
    )
    model_server.script([autogpt_reply("mcp__t__echo", {"text": "still here"}), DONE])
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("MCP server 'gone' could not start") == 1
    assert "mcp__gone__" not in model_server.requests[0].messages[0]["content"]
    assert "returned: still here" in model_server.requests[1].messages[-1]["content"]


def test_tool_mode_offers_mcp_tools_with_their_schema(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"t": ours()})
    model_server.script(
        [
            tool_call_reply("mcp__t__weather", {"city": "Oslo"}),
            tool_call_reply("task_complete", {"reason": "ok"}),
        ]
    )
    done = run_agent(
        model_server, "-c", "-l", "5", "-y", env=agent_env(model_server, OPENAI_FUNCTIONS="true")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = model_server.requests
    offered = {t["function"]["name"]: t["function"] for t in first.tools or []}
    assert offered["mcp__t__weather"]["parameters"] == {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    }
    assert second.tools == first.tools
    (result,) = [m for m in second.messages if m["role"] == "tool"]
    assert '"celsius": 21.5' in result["content"] and "Oslo" in result["content"]


def test_manual_mode_asks_naming_server_tool_and_arguments(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"notes": ours()})
    model_server.script(
        [autogpt_reply("mcp__notes__write_note", {"name": "n.txt", "text": "hello"}), DONE]
    )
    child = spawn_agent(model_server, "-y")
    child.expect(
        r"MCP server 'notes', tool 'write_note' \(may change things\); arguments: "
        r'\{"name": "n.txt", "text": "hello"\}'
    )
    child.expect("Input:")
    assert not (tmp_path / "n.txt").exists()
    child.sendline("y")
    child.expect("Input:")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "n.txt").read_text(encoding="utf-8") == "hello"


def test_feedback_and_n_at_an_mcp_tool_do_not_run_it(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"notes": ours()})
    note = autogpt_reply("mcp__notes__write_note", {"name": "n.txt", "text": "hello"})
    model_server.script([note, note])
    child = spawn_agent(model_server, "-y")
    child.expect("MCP server 'notes', tool 'write_note'")
    child.expect("Input:")
    child.sendline("write it in French")
    child.expect("MCP server 'notes', tool 'write_note'")
    child.expect("Input:")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Human feedback: write it in French" in str(model_server.requests[1].messages)
    assert not (tmp_path / "n.txt").exists()
    assert marked_processes(child.pid) == []


def test_no_mcp_child_is_left_after_sigterm(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"a": ours("--grandchild"), "b": ours()})
    model_server.script([autogpt_reply("mcp__a__echo", {"text": "x"})])
    child = spawn_agent(model_server, "-y")
    child.expect("Input:")
    assert len(marked_processes(child.pid)) >= 3
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 143
    assert marked_processes(child.pid) == []


def test_ctrl_c_during_a_tool_call_stops_the_run_and_its_servers(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"t": ours("--grandchild")})
    marker = tmp_path / "call-started"
    model_server.script(
        [autogpt_reply("mcp__t__wait_long", {"marker": str(marker), "seconds": 120})]
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogpt", "-c", "-l", "3", "-y"],
        env=agent_env(model_server),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not marker.exists():
        time.sleep(0.1)
    assert marker.exists(), "the tool call never started"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    assert marked_processes(proc.pid) == []


def test_children_of_a_killed_agent_are_ended_at_the_next_start(
    model_server_factory: Any, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    write_servers_file(tmp_path, {"a": ours("--grandchild")})
    first = model_server_factory(autogpt_reply("mcp__a__echo", {"text": "x"}))
    child = spawn_agent(first, "-y")
    child.expect("Input:")
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(marked_processes(child.pid)) > 1:
        time.sleep(0.1)  # the server itself goes when its stdin closes; its helper stays
    assert marked_processes(child.pid), "the killed agent left nothing to sweep"
    second = model_server_factory(DONE)
    done = run_agent(second, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert marked_processes(child.pid) == []
