"""The servers file, in the format of Claude Desktop and Cursor; a mistake drops one server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_variables_are_replaced_in_every_field_and_the_token_is_hidden(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "mcpServers": {
                "gh": {
                    "command": "${TOOLS:-/opt/tools}/github-mcp",
                    "args": ["--org", "${ORG}"],
                    "env": {"GITHUB_TOKEN": "${GH_TOKEN}"},
                    "cwd": "${HOME_DIR}/work",
                },
                "docs": {
                    "url": "https://${DOCS_HOST}/mcp",
                    "headers": {"Authorization": "Bearer ${DOCS_TOKEN}"},
                },
            }
        },
    )
    variables = {
        "ORG": "acme",
        "GH_TOKEN": "ghp_0123456789",
        "HOME_DIR": "/home/u",
        "DOCS_HOST": "docs.example.com",
        "DOCS_TOKEN": "tok-abcdef",
    }
    file = read_servers(path, variables)
    assert file.warnings == []
    gh, docs = file.servers
    assert gh.command == "/opt/tools/github-mcp" and gh.args == ["--org", "acme"]
    assert gh.env == {"GITHUB_TOKEN": "ghp_0123456789"} and gh.cwd == "/home/u/work"
    assert docs.url == "https://docs.example.com/mcp"
    assert "ghp_0123456789" in gh.secrets and "Bearer tok-abcdef" in docs.secrets


def test_a_variable_that_is_not_set_leaves_its_server_out_naming_it(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "mcpServers": {
                "gh": {"command": "x", "env": {"T": "${GH_TOKEN}"}},
                "ok": {"command": "y"},
            }
        },
    )
    file = read_servers(path, {})
    assert [s.name for s in file.servers] == ["ok"]
    assert file.warnings == [
        f"MCP server 'gh' in {path} is left out: ${{GH_TOKEN}} is not set "
        "(in the environment or .env)"
    ]


def test_variables_come_from_the_environment_over_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autogpt.config.settings import Settings
    from autogpt.mcp.startup import McpServers

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ORG=from-dotenv\nGH_TOKEN=ghp_dotenv_token\n", "utf-8")
    _write(tmp_path, {"mcpServers": {"gh": {"command": "x", "args": ["${ORG}", "${GH_TOKEN}"]}}})
    monkeypatch.setenv("ORG", "from-environment")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    servers = McpServers.from_settings(Settings(mcp_config=str(tmp_path / "mcp_servers.json")))
    assert servers.file.servers[0].args == ["from-environment", "ghp_dotenv_token"]
