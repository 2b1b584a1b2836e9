"""The servers file, in the format of Claude Desktop and Cursor; a mistake drops one server."""

from __future__ import annotations

import json
from pathlib import Path

from autogpt.mcp.config import ServerConfig, config_path, read_servers


def _write(folder: Path, data: object) -> Path:
    path = folder / "mcp_servers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_claude_desktop_entries_are_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "mcpServers": {
                "time": {"command": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}},
                "web": {
                    "url": "http://127.0.0.1:9000/mcp",
                    "headers": {"Authorization": "Bearer abcdefg"},
                },
                "off": {"command": "x", "disabled": True},
            }
        },
    )
    file = read_servers(path)
    assert file.warnings == []
    assert file.servers == [
        ServerConfig(name="time", command="uvx", args=["mcp-server-time"], env={"TZ": "UTC"}),
        ServerConfig(
            name="web", url="http://127.0.0.1:9000/mcp", headers={"Authorization": "Bearer abcdefg"}
        ),
    ]
    assert file.servers[1].secrets == ["Bearer abcdefg"]


def test_a_bad_entry_is_left_out_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, {"mcpServers": {"bad": {"args": []}, "ok": {"command": "x"}}})
    file = read_servers(path)
    assert [s.name for s in file.servers] == ["ok"]
    assert file.warnings == [
        f"MCP server 'bad' in {path} is left out: give either 'command' (a stdio server) "
        "or 'url' (Streamable HTTP)"
    ]


def test_a_file_that_is_not_json_gives_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "mcp_servers.json"
    path.write_text("{not json", encoding="utf-8")
    file = read_servers(path)
    assert file.servers == [] and len(file.warnings) == 1
    assert "not valid JSON" in file.warnings[0]


def test_the_default_file_is_used_only_when_it_exists(tmp_path: Path) -> None:
    assert config_path(None, tmp_path) is None
    _write(tmp_path, {"mcpServers": {}})
    assert config_path(None, tmp_path) == tmp_path / "mcp_servers.json"
    assert config_path("other.json", tmp_path) == Path("other.json")
