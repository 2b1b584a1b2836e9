"""The MCP servers file: ``{"mcpServers": {"NAME": {...}}}``, as Claude Desktop and Cursor write it.

A stdio server has ``command`` (and ``args``, ``env``, ``cwd``); a Streamable HTTP server has
``url`` (and ``headers``). ``"disabled": true`` leaves a server out. A mistake in one entry
drops that server with a warning; a file that is not JSON drops them all: never the run.

``${VAR}`` and ``${VAR:-default}`` in ``command``, ``args``, ``env``, ``cwd``, ``url`` and
``headers`` are replaced from the variables given (the environment, then ``.env``), as Claude
Code's ``.mcp.json`` does, so a token need not be written into the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FILE = "mcp_servers.json"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ServerConfig:
    name: str
    command: str | None = None
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    """Given to the server alone: the only secrets it sees."""
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    @property
    def secrets(self) -> list[str]:
        """Values to hide in logs and the journal."""
        return [v for v in (*self.env.values(), *self.headers.values()) if len(v) >= 6]


@dataclass(frozen=True)
class ServersFile:
    path: Path | None
    servers: list[ServerConfig]
    warnings: list[str]


def config_path(setting: str | None, env_dir: Path | None = None) -> Path | None:
    """``MCP_CONFIG`` if set, else ``mcp_servers.json`` beside ``.env`` when it exists."""
    if setting:
        return Path(setting).expanduser()
    default = (env_dir or Path.cwd()) / DEFAULT_FILE
    return default if default.is_file() else None


def read_servers(path: Path | None, variables: Mapping[str, str] | None = None) -> ServersFile:
    """The servers of the file at ``path``; ``${VAR}`` is taken from ``variables``."""
    if path is None:
        return ServersFile(None, [], [])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return ServersFile(path, [], [f"MCP_CONFIG {path}: cannot be read ({exc.strerror or exc})"])
    except (ValueError, UnicodeDecodeError) as exc:
        return ServersFile(path, [], [f"MCP_CONFIG {path}: not valid JSON ({exc}); no MCP servers"])
    entries = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return ServersFile(
            path, [], [f'MCP_CONFIG {path}: expected {{"mcpServers": {{"NAME": {{...}}}}}}']
        )
    servers, warnings = [], []
    for name, entry in entries.items():
        try:
            server = _server(str(name), _expanded(entry, variables or {}))
        except ValueError as exc:
            warnings.append(f"MCP server '{name}' in {path} is left out: {exc}")
            continue
        if server is not None:
            servers.append(server)
    return ServersFile(path, servers, warnings)


def _server(name: str, entry: Any) -> ServerConfig | None:
    if not isinstance(entry, dict):
        raise ValueError("expected an object with 'command' or 'url'")
    if entry.get("disabled") is True:
        return None
    command, url = entry.get("command"), entry.get("url")
    if bool(command) == bool(url):
        raise ValueError("give either 'command' (a stdio server) or 'url' (Streamable HTTP)")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://"))
    ):
        raise ValueError(f"'url' must be an http:// or https:// URL (got {url!r})")
    if command is not None and not isinstance(command, str):
        raise ValueError("'command' must be a string")
    args = entry.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        raise ValueError("'args' must be a list of strings")
    cwd = entry.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        raise ValueError("'cwd' must be a string")
    return ServerConfig(
        name=name,
        command=command,
        args=[str(a) for a in args],
        env=_strings(entry, "env"),
        cwd=cwd,
        url=url,
        headers=_strings(entry, "headers"),
    )


def _strings(entry: dict[str, Any], key: str) -> dict[str, str]:
    value = entry.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise ValueError(f"'{key}' must map names to strings")
    return {str(k): str(v) for k, v in value.items()}


def _expanded(value: Any, variables: Mapping[str, str]) -> Any:
    """``value`` (an entry, or any part of one) with ``${VAR}`` replaced; a variable that is
    not set and has no ``:-default`` is a ValueError naming it (the entry is left out)."""
    if isinstance(value, dict):
        return {k: _expanded(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_expanded(v, variables) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = variables.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise ValueError(f"${{{name}}} is not set (in the environment or .env)")

    return _VARIABLE.sub(one, value)
