"""What the session does with MCP: read the servers file (before the logs are set up, so the
servers' secrets are hidden there too), start the servers early, and, before the first model
request, wait for those still starting and add their tools to the registry, where they stay
fixed for the run (the system prompt and ``tools=`` are the same in every request)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from autogpt.mcp.config import ServersFile, config_path, read_servers

if TYPE_CHECKING:
    from autogpt.commands.context import CommandContext
    from autogpt.commands.registry import Registry
    from autogpt.config.settings import Settings
    from autogpt.mcp.hub import McpHub

log = logging.getLogger(__name__)

PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy")


class McpServers:
    def __init__(self, settings: Settings, file: ServersFile) -> None:
        self.settings = settings
        self.file = file
        self.hub: McpHub | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> McpServers:
        path = config_path(settings.mcp_config)
        return cls(settings, read_servers(path, _variables(Path(".env")) if path else None))

    @property
    def secrets(self) -> list[str]:
        """The values of the servers' ``env`` and ``headers``, ``${VAR}`` replaced."""
        return [secret for server in self.file.servers for secret in server.secrets]

    def start(self, warn: Callable[[str], None]) -> None:
        """Start every configured server in the background; nothing waits here."""
        for warning in self.file.warnings:
            warn(warning)
        if not self.file.servers:
            return
        from autogpt.logs import LOG_DIR
        from autogpt.mcp.hub import McpHub

        self.hub = McpHub(
            self.file.servers,
            env=child_proxies(self.settings),
            start_timeout=self.settings.mcp_start_timeout,
            log_dir=Path(LOG_DIR),
        )
        swept = self.hub.start()
        if swept:
            log.info("ended %d MCP server process(es) left by a run that was killed", swept)

    def register(
        self,
        registry: Registry,
        ctx: CommandContext,
        *,
        info: Callable[[str], None],
        warn: Callable[[str], None],
    ) -> None:
        """Wait for the servers still starting, then add their tools to the registry; the hub
        is closed with the run's other resources (and at exit in any case)."""
        hub = self.hub
        if hub is None:
            return
        from autogpt.mcp.tools import build_specs

        for warning in hub.wait():
            warn(warning)
        ctx.resources.get_or_create("mcp", lambda: hub, close=lambda h: h.close())
        specs = build_specs(hub, {spec.name for spec in registry.all()})
        for spec in specs:
            registry.register(spec)
        started = len({tool.server for tool in hub.tools})
        log.info("MCP servers ready after %.2f s", hub.ready_after or 0.0)
        if started:
            info(
                f"MCP: {len(specs)} tool{'s' if len(specs) != 1 else ''} from {started} "
                f"server{'s' if started != 1 else ''} "
                f"({', '.join(sorted({t.server for t in hub.tools}))}), ready after "
                f"{hub.ready_after or 0.0:.1f} s"
            )


def child_proxies(settings: Settings) -> dict[str, str]:
    """The proxy settings a child server is given (both spellings, as tools read either)."""
    env: dict[str, str] = {}
    for name in PROXY_VARIABLES:
        value = getattr(settings, name)
        if value:
            env[name.upper()] = value
            env[name] = value
    return env


def _variables(env_file: Path) -> dict[str, str]:
    """What ``${VAR}`` in the servers file may name: the environment over ``.env``."""
    import os

    from dotenv import dotenv_values

    try:
        found = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    except (OSError, UnicodeDecodeError):  # the settings report a broken .env themselves
        found = {}
    return found | dict(os.environ)
