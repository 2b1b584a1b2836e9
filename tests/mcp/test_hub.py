"""The MCP client against real servers: our MCPServer test server over stdio and Streamable
HTTP. Nothing is mocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.mcp.config import ServerConfig
from autogpt.mcp.hub import CallFailed, McpHub
from tests.support.mcp_servers import TEST_SERVER, free_port, http_test_server, marked_processes


def _stdio(name: str, *flags: str, **extra: Any) -> ServerConfig:
    import sys

    return ServerConfig(name=name, command=sys.executable, args=[str(TEST_SERVER), *flags], **extra)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Any]:
    hubs: list[McpHub] = []

    def start(
        *servers: ServerConfig, timeout: float = 30, env: dict[str, str] | None = None
    ) -> McpHub:
        hub = McpHub(list(servers), env=env or {}, start_timeout=timeout, log_dir=tmp_path / "logs")
        hubs.append(hub)
        hub.start()
        return hub

    yield start
    for hub in hubs:
        hub.close()


def test_tools_are_listed_with_their_schema_and_read_only_hint(started: Any) -> None:
    hub = started(_stdio("t"))
    assert hub.wait() == []
    tools = {tool.name: tool for tool in hub.tools}
    assert tools["echo"].read_only and not tools["write_note"].read_only
    assert tools["echo"].schema["properties"]["text"]["type"] == "string"
    assert tools["echo"].schema["required"] == ["text"]


def test_text_image_and_structured_results_become_text(started: Any) -> None:
    hub = started(_stdio("t"))
    hub.wait()
    assert hub.call("t", "echo", {"text": "北京"}).text == "北京"
    picture = hub.call("t", "picture", {}).text
    assert picture.startswith("[image: image/png,") and "not shown" in picture
    assert '"celsius": 21.5' in hub.call("t", "weather", {"city": "Oslo"}).text


def test_an_error_result_is_marked_as_error(started: Any) -> None:
    hub = started(_stdio("t"))
    hub.wait()
    outcome = hub.call("t", "fail", {"reason": "no such city"})
    assert outcome.is_error and "refused: no such city" in outcome.text


def test_a_huge_result_arrives_whole(started: Any) -> None:
    hub = started(_stdio("t"))
    hub.wait()
    assert len(hub.call("t", "huge", {"size": 3_000_000}).text) == 3_000_000


def test_a_server_that_crashes_is_restarted_once_then_unavailable(started: Any) -> None:
    hub = started(_stdio("t"))
    hub.wait()
    first_pid = hub.call("t", "pid", {}).text
    with pytest.raises(CallFailed, match="stopped during the call to crash.*restarted"):
        hub.call("t", "crash", {})
    assert hub.call("t", "pid", {}).text != first_pid  # a new process answers
    with pytest.raises(CallFailed, match="stopped again and is unavailable"):
        hub.call("t", "crash", {})
    with pytest.raises(CallFailed, match="unavailable"):
        hub.call("t", "echo", {"text": "x"})


def test_a_slow_server_is_waited_for_within_the_timeout(started: Any) -> None:
    hub = started(_stdio("slow", "--slow-start", "2"), timeout=30)
    assert hub.wait() == []
    assert hub.call("slow", "echo", {"text": "late"}).text == "late"


def test_a_server_past_its_timeout_gets_one_warning_and_is_left_out(started: Any) -> None:
    hub = started(_stdio("slow", "--slow-start", "60"), _stdio("fast"), timeout=15)
    warnings = hub.wait()
    assert warnings == [
        "MCP server 'slow' did not start within MCP_START_TIMEOUT=15 s; the run goes on without it."
    ]
    assert {tool.server for tool in hub.tools} == {"fast"}
    with pytest.raises(CallFailed, match="not available: it did not start in time"):
        hub.call("slow", "echo", {"text": "x"})


def test_a_server_that_cannot_start_is_named_with_the_reason(started: Any) -> None:
    hub = started(ServerConfig(name="gone", command="/nonexistent/mcp-server"))
    (warning,) = hub.wait()
    assert warning.startswith("MCP server 'gone' could not start (")
    assert "/nonexistent/mcp-server" in warning and "the run goes on without it" in warning


def test_streamable_http_server_with_headers(started: Any) -> None:
    with http_test_server(free_port()) as url:
        hub = started(ServerConfig(name="web", url=url, headers={"X-Test": "1"}))
        assert hub.wait() == []
        assert hub.call("web", "echo", {"text": "over http"}).text == "over http"


def test_child_gets_proxies_and_its_own_env_only(started: Any, env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_API_KEY", "sk-parent-secret-123")
    hub = started(
        _stdio("t", env={"TOKEN": "child-secret-456"}),
        env={"HTTPS_PROXY": "http://127.0.0.1:3128", "NO_PROXY": "localhost"},
    )
    hub.wait()
    value = {
        name: hub.call("t", "env_value", {"name": name}).text
        for name in ("TOKEN", "HTTPS_PROXY", "NO_PROXY", "OPENAI_API_KEY")
    }
    assert value == {
        "TOKEN": "child-secret-456",
        "HTTPS_PROXY": "http://127.0.0.1:3128",
        "NO_PROXY": "localhost",
        "OPENAI_API_KEY": "<unset>",
    }


def test_close_ends_the_servers_and_their_helpers(started: Any) -> None:
    import os

    hub = started(_stdio("a", "--grandchild"), _stdio("b"))
    hub.wait()
    assert len(marked_processes(os.getpid())) >= 3  # two servers and a helper
    hub.close()
    assert marked_processes(os.getpid()) == []
