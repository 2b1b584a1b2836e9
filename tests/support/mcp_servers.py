"""MCP servers for tests: ours (``mcp_test_server.py``, run by the test's own Python) and the
reference servers from PyPI, in a virtual environment of the tests' own (``.ci/setup-mcp.sh``
makes it; a test makes it when it is missing)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autogpt import orphans
from autogpt.mcp.hub import OWNER_VARIABLE

TEST_SERVER = Path(__file__).with_name("mcp_test_server.py")
REPO = Path(__file__).resolve().parents[2]
REFERENCE_VENV = Path(
    os.environ.get("AUTOGPT_MCP_VENV")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autogpt-tests/mcp-venv"
)
REFERENCE_SERVERS = ("mcp-server-time", "mcp-server-git")


def ours(*flags: str, **extra: Any) -> dict[str, Any]:
    """A servers-file entry for our test server."""
    return {"command": sys.executable, "args": [str(TEST_SERVER), *flags], **extra}


def write_servers_file(folder: Path, servers: dict[str, Any]) -> Path:
    path = folder / "mcp_servers.json"
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path


def reference_bin(name: str) -> Path:
    """The console script of a reference server, installed on first use."""
    script = REFERENCE_VENV / "bin" / name
    if not script.exists():
        subprocess.run(["bash", str(REPO / ".ci" / "setup-mcp.sh")], check=True, timeout=600)
    return script


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def http_test_server(port: int) -> Iterator[str]:
    """Our test server on Streamable HTTP; its URL."""
    process = subprocess.Popen(
        [sys.executable, str(TEST_SERVER), "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


def marked_processes(owner: int | None = None) -> list[int]:
    """Live processes carrying the MCP owner mark of the agent ``owner`` (or of any agent)."""
    return [
        pid
        for pid, value in orphans.with_environment(OWNER_VARIABLE)
        if orphans.running(pid) and (owner is None or value.split(".")[0] == str(owner))
    ]
