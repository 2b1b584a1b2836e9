"""The reference MCP servers from PyPI (``mcp-server-time``, ``mcp-server-git``: neither needs the
network), installed in a virtual environment of the tests' own, driven by our client and by the
agent. Nothing is mocked."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.mcp.config import ServerConfig
from autogpt.mcp.hub import McpHub
from tests.e2e.harness import run_agent, write_profile
from tests.support.mcp_servers import reference_bin, write_servers_file
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer


@pytest.fixture
def time_server() -> ServerConfig:
    return ServerConfig(
        name="time",
        command=str(reference_bin("mcp-server-time")),
        args=["--local-timezone", "UTC"],
    )


@pytest.fixture
def hub_of(tmp_path: Path) -> Iterator[list[McpHub]]:
    hubs: list[McpHub] = []
    yield hubs
    for hub in hubs:
        hub.close()


def _start(hubs: list[McpHub], server: ServerConfig, log_dir: Path) -> McpHub:
    hub = McpHub([server], env={}, start_timeout=60, log_dir=log_dir)
    hubs.append(hub)
    hub.start()
    assert hub.wait() == []
    return hub


def test_time_server_tells_the_time_in_a_timezone(
    time_server: ServerConfig, hub_of: list[McpHub], tmp_path: Path
) -> None:
    hub = _start(hub_of, time_server, tmp_path)
    assert {"get_current_time", "convert_time"} <= {tool.name for tool in hub.tools}
    outcome = hub.call("time", "get_current_time", {"timezone": "Asia/Shanghai"})
    assert not outcome.is_error and '"timezone": "Asia/Shanghai"' in outcome.text


def test_time_server_reports_an_unknown_timezone_as_an_error(
    time_server: ServerConfig, hub_of: list[McpHub], tmp_path: Path
) -> None:
    hub = _start(hub_of, time_server, tmp_path)
    outcome = hub.call("time", "get_current_time", {"timezone": "Mars/Olympus"})
    assert outcome.is_error and "Mars/Olympus" in outcome.text


def test_git_server_reads_a_local_repository(hub_of: list[McpHub], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "a.txt").write_text("a\n", encoding="utf-8")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "冰淇淋 report"], check=True)
    server = ServerConfig(
        name="git", command=str(reference_bin("mcp-server-git")), args=["--repository", str(repo)]
    )
    hub = _start(hub_of, server, tmp_path)
    assert "git_log" in {tool.name for tool in hub.tools}
    outcome = hub.call("git", "git_log", {"repo_path": str(repo)})
    assert not outcome.is_error and "冰淇淋 report" in outcome.text


def test_agent_calls_the_time_server(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    command = str(reference_bin("mcp-server-time"))
    write_servers_file(
        tmp_path, {"time": {"command": command, "args": ["--local-timezone", "UTC"]}}
    )
    model_server.script(
        [
            autogpt_reply("mcp__time__get_current_time", {"timezone": "Europe/Paris"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mcp__time__get_current_time: " in model_server.requests[0].messages[0]["content"]
    result = model_server.requests[1].messages[-1]["content"]
    assert result.startswith("Command mcp__time__get_current_time returned: ")
    assert '"timezone": "Europe/Paris"' in result
