"""An MCP server of ours, written with the SDK's MCPServer (FastMCP in mcp 1.x), for what the
reference servers do not do: an error result, a slow start, a crash in the middle of a call, a
huge result, image content, structured content, and the Streamable HTTP transport.

Run as ``python -m tests.support.mcp_test_server [--slow-start S] [--http PORT] [--grandchild]``.
``--grandchild`` leaves a ``sleep`` process of its own, as a server that runs helpers would:
it is what a killed agent leaves behind once its server has exited on the closed stdin.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp.types import ToolAnnotations

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e527d4a20000000049454e44ae426082"
)
READ_ONLY = ToolAnnotations(read_only_hint=True)

server = MCPServer("autogpt-test")


@server.tool(annotations=READ_ONLY)
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@server.tool()
def write_note(name: str, text: str) -> str:
    """Write a note file in the server's working directory."""
    Path(name).write_text(text, encoding="utf-8")
    return f"wrote {len(text)} characters to {name}"


@server.tool(annotations=READ_ONLY)
def fail(reason: str) -> str:
    """Always fails, with the reason given."""
    raise ToolError(f"refused: {reason}")


@server.tool()
def crash() -> str:
    """The server process dies in the middle of the call."""
    os._exit(3)


@server.tool(annotations=READ_ONLY)
def huge(size: int) -> str:
    """A text result of ``size`` characters."""
    return "".join(f"line {i:07d} of the huge result\n" for i in range(size // 32 + 1))[:size]


@server.tool(annotations=READ_ONLY)
def picture() -> Image:
    """A 1x1 PNG image."""
    return Image(data=PNG, format="png")


@server.tool(annotations=READ_ONLY)
def weather(city: str) -> dict[str, Any]:
    """Structured content: the weather of a city (made up)."""
    return {"city": city, "celsius": 21.5, "sky": "clear"}


@server.tool(annotations=READ_ONLY)
def env_value(name: str) -> str:
    """The value of one environment variable of the server, or '<unset>'."""
    return os.environ.get(name, "<unset>")


@server.tool(annotations=READ_ONLY)
def wait_long(marker: str, seconds: float) -> str:
    """Write the marker file, then take ``seconds`` to answer."""
    Path(marker).write_text("started", encoding="utf-8")
    time.sleep(seconds)
    return "waited"


@server.tool(annotations=READ_ONLY)
def pid() -> str:
    """The server's process id."""
    return str(os.getpid())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow-start", type=float, default=0.0)
    parser.add_argument("--http", type=int, default=0, help="serve Streamable HTTP on this port")
    parser.add_argument("--grandchild", action="store_true")
    args = parser.parse_args(argv)
    if args.slow_start:
        time.sleep(args.slow_start)
    if args.grandchild:
        subprocess.Popen(
            ["sleep", "600"], stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr
        )
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run()


if __name__ == "__main__":
    main()
