"""The MCP servers of one run, on an event loop thread of their own (the agent is synchronous).

Servers start in parallel; :meth:`McpHub.wait` returns when each has listed its tools or run
out of ``MCP_START_TIMEOUT``. A call is a coroutine on that loop, waited for by the agent's
thread. A server whose connection is lost during a call is restarted once; after that its
tools answer that it is unavailable. Children carry ``AUTOGPT_MCP_OWNER`` (this run, see
:mod:`autogpt.orphans`) in their environment, which their own helpers inherit: at close every
process still carrying it is ended, and a run that starts finds those a killed run left.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from autogpt import orphans
from autogpt.mcp.config import ServerConfig
from autogpt.mcp.names import sanitise
from autogpt.mcp.results import ToolOutcome, convert

log = logging.getLogger(__name__)

OWNER_VARIABLE = "AUTOGPT_MCP_OWNER"
CALL_TIMEOUT = 300.0
STOP_TIMEOUT = 10.0
"""The SDK closes stdin, waits 2 s, sends SIGTERM, waits 2 s, then SIGKILL: well within this."""


@dataclass(frozen=True)
class RemoteTool:
    server: str
    name: str
    description: str
    schema: dict[str, Any]
    read_only: bool


class CallFailed(Exception):
    """Why a call did not give a result, written for the model."""


class _Server:
    """One server's session, owned by a task on the hub's loop."""

    def __init__(self, config: ServerConfig, env: dict[str, str], log_dir: Path) -> None:
        self.config = config
        self.env = env
        self.log_dir = log_dir
        self.client: Any = None
        self.restarts = 0
        self.unavailable: str | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._errlog: TextIO | None = None

    async def start(self) -> list[RemoteTool]:
        ready: asyncio.Future[list[RemoteTool]] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._serve(ready, self._stop))
        return await ready

    async def _serve(self, ready: asyncio.Future[list[RemoteTool]], stop: asyncio.Event) -> None:
        from mcp import Client

        try:
            async with contextlib.AsyncExitStack() as stack:
                target = await self._target(stack)
                client = await stack.enter_async_context(
                    Client(target, read_timeout_seconds=CALL_TIMEOUT)
                )
                tools = await self._list_tools(client)
                self.client = client
                ready.set_result(tools)
                await stop.wait()
        except BaseException as exc:  # the task's end is its outcome; nothing above awaits it
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError(exc))
            elif not isinstance(exc, asyncio.CancelledError):
                log.warning("MCP server %s: session ended: %r", self.config.name, exc)
        finally:
            self.client = None

    async def _target(self, stack: contextlib.AsyncExitStack) -> Any:
        from mcp import StdioServerParameters

        config = self.config
        if config.url:
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            http = await stack.enter_async_context(
                create_mcp_http_client(headers=config.headers or None)
            )
            return streamable_http_client(config.url, http_client=http)
        if self._errlog is None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            path = self.log_dir / f"mcp-{sanitise(config.name)}.log"
            self._errlog = path.open("a", encoding="utf-8")
        return _StdioTarget(
            StdioServerParameters(
                command=str(config.command),
                args=config.args,
                env=self.env | config.env,
                cwd=config.cwd,
            ),
            self._errlog,
        )

    async def _list_tools(self, client: Any) -> list[RemoteTool]:
        found: list[RemoteTool] = []
        cursor = None
        for _ in range(100):  # a server that pages forever cannot hang the start
            page = await client.list_tools(cursor=cursor)
            for tool in page.tools:
                hints = tool.annotations
                found.append(
                    RemoteTool(
                        server=self.config.name,
                        name=tool.name,
                        description=tool.description or tool.title or tool.name,
                        schema=dict(tool.input_schema),
                        read_only=bool(hints and hints.read_only_hint),
                    )
                )
            cursor = page.next_cursor
            if not cursor:
                break
        return found

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        _, pending = await asyncio.wait({task}, timeout=STOP_TIMEOUT)
        if pending:  # still in its handshake: cancelled; the SDK's shutdown is shielded
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_TIMEOUT)

    def close_log(self) -> None:
        if self._errlog is not None:
            self._errlog.close()
            self._errlog = None


class _StdioTarget:
    """The SDK's stdio transport with the server's stderr in its log file, not on our screen."""

    def __init__(self, params: Any, errlog: TextIO) -> None:
        from mcp.client.stdio import stdio_client

        self._cm = stdio_client(params, errlog=errlog)

    async def __aenter__(self) -> Any:
        return await self._cm.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._cm.__aexit__(*exc)


class McpHub:
    def __init__(
        self,
        servers: list[ServerConfig],
        *,
        env: dict[str, str],
        start_timeout: float,
        log_dir: Path,
    ) -> None:
        self.tag = orphans.owner_tag()
        child_env = env | {OWNER_VARIABLE: self.tag}
        self.servers = {s.name: _Server(s, child_env, log_dir) for s in servers}
        self.start_timeout = start_timeout
        self.tools: list[RemoteTool] = []
        self.ready_after: float | None = None
        """Seconds from :meth:`start` until the last server answered (or timed out)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="mcp")
        self._starting: dict[str, Future[list[RemoteTool]]] = {}
        self._started = 0.0
        self._closed = False

    # --- start ----------------------------------------------------------------------------
    def start(self) -> int:
        """Start every server (without waiting); how many leftovers of killed runs were ended."""
        swept = sweep_orphans()
        self._thread.start()
        atexit.register(self.close)
        self._started = time.monotonic()
        for name, server in self.servers.items():
            self._starting[name] = asyncio.run_coroutine_threadsafe(server.start(), self._loop)
        return swept

    def wait(self) -> list[str]:
        """Wait for the servers still starting within their timeout; one warning per failure."""
        warnings = []
        deadline = self._started + self.start_timeout
        for name, future in self._starting.items():
            try:
                self.tools.extend(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                warnings.append(
                    f"MCP server '{name}' did not start within MCP_START_TIMEOUT="
                    f"{self.start_timeout:g} s; the run goes on without it."
                )
                self._give_up(name, "it did not start in time")
            except Exception as exc:
                warnings.append(
                    f"MCP server '{name}' could not start ({_reason(exc)}); the run goes on "
                    f"without it.{self._log_hint(name)}"
                )
                self._give_up(name, "it could not start")
        self.ready_after = time.monotonic() - self._started
        return warnings

    def _give_up(self, name: str, why: str) -> None:
        server = self.servers[name]
        server.unavailable = f"MCP server '{name}' is not available: {why}."
        asyncio.run_coroutine_threadsafe(server.stop(), self._loop)

    def _log_hint(self, name: str) -> str:
        server = self.servers[name]
        if server.config.url:
            return ""
        return f" Its messages: {server.log_dir / f'mcp-{sanitise(name)}.log'}"

    # --- calls ----------------------------------------------------------------------------
    def call(self, server: str, tool: str, arguments: dict[str, Any]) -> ToolOutcome:
        """The tool's result; :class:`CallFailed` when there is none."""
        future = asyncio.run_coroutine_threadsafe(
            self._call(self.servers[server], tool, arguments), self._loop
        )
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    async def _call(self, server: _Server, tool: str, arguments: dict[str, Any]) -> ToolOutcome:
        from mcp import MCPError
        from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT

        if server.unavailable:
            raise CallFailed(server.unavailable)
        client = server.client
        if client is not None:
            try:
                return convert(await client.call_tool(tool, arguments))
            except MCPError as exc:
                if exc.code == REQUEST_TIMEOUT:
                    raise CallFailed(f"{tool} timed out after {CALL_TIMEOUT:g} s") from None
                if exc.code != CONNECTION_CLOSED:
                    raise CallFailed(f"the server refused the call: {exc.error.message}") from None
            except Exception as exc:
                log.warning("MCP call %s/%s lost its connection: %r", server.config.name, tool, exc)
        return await self._restart(server, tool)

    async def _restart(self, server: _Server, tool: str) -> ToolOutcome:
        name = server.config.name
        await server.stop()
        if server.restarts >= 1:
            server.unavailable = (
                f"MCP server '{name}' stopped again and is unavailable for the rest of the "
                "run; do not call its tools."
            )
            raise CallFailed(server.unavailable)
        server.restarts += 1
        try:
            await asyncio.wait_for(server.start(), self.start_timeout)
        except Exception as exc:
            server.unavailable = (
                f"MCP server '{name}' stopped and could not be restarted ({_reason(exc)}); "
                "it is unavailable for the rest of the run: do not call its tools."
            )
            raise CallFailed(server.unavailable) from None
        raise CallFailed(
            f"MCP server '{name}' stopped during the call to {tool}, which did not complete. "
            "The server was restarted; you may call the tool again."
        )

    # --- close ----------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every server (in parallel), then end whatever still carries this run's mark."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        if self._thread.is_alive():

            async def stop_all() -> None:
                await asyncio.gather(*(s.stop() for s in self.servers.values()))

            try:
                asyncio.run_coroutine_threadsafe(stop_all(), self._loop).result(STOP_TIMEOUT * 2)
            except Exception:
                log.exception("stopping the MCP servers failed")
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=2)
        if not self._thread.is_alive():
            self._loop.close()
        for server in self.servers.values():
            server.close_log()
        left = [pid for pid, tag in orphans.with_environment(OWNER_VARIABLE) if tag == self.tag]
        if left:
            log.info("ending %d leftover process(es) of the MCP servers", len(left))
            orphans.end(left)


def sweep_orphans() -> int:
    """End the MCP servers (and their helpers) of runs that died without stopping them."""
    victims = [
        pid for pid, tag in orphans.with_environment(OWNER_VARIABLE) if not orphans.owner_alive(tag)
    ]
    if victims:
        orphans.end(victims)
    return len(victims)


def _reason(exc: BaseException) -> str:
    """The first leaf of an exception group, in one line."""
    while getattr(exc, "exceptions", None):  # an ExceptionGroup of anyio's task groups
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip() or type(exc).__name__
    if "Connection closed" in text:
        return "it exited before answering"
    return text.splitlines()[0][:200]
