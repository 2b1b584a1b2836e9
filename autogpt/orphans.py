"""Processes a run started, found again in ``/proc`` by a mark that names the run: ended when
the run closes them, and at the next start when the run that started them died (``kill -9``).

The browser marks its processes by a profile directory on their command line
(``autogpt.web.processes``); MCP servers by a variable in their environment, which every
helper they start inherits (``autogpt.mcp.hub``). Linux ``/proc`` only; elsewhere nothing is
found.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path


def processes() -> Iterator[tuple[int, bytes]]:
    """(pid, command line) of every process but this one."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            yield int(entry.name), (entry / "cmdline").read_bytes()
        except OSError:
            continue


def with_environment(name: str) -> Iterator[tuple[int, str]]:
    """(pid, value) of every live process whose environment sets ``name``."""
    key = name.encode() + b"="
    for pid, _ in processes():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item.startswith(key):
                yield pid, item[len(key) :].decode(errors="replace")
                break


def owner_tag(pid: int | None = None) -> str:
    """``<pid>.<start time>`` of a process: still names it after its pid is reused."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}.{_start_ticks(pid) or 0}"


def owner_alive(tag: str) -> bool:
    pid_text, _, ticks = tag.partition(".")
    if not pid_text.isdigit() or not alive(int(pid_text)):
        return False
    started = _start_ticks(int(pid_text))
    return started is None or not ticks.isdigit() or started == int(ticks)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def running(pid: int) -> bool:
    """Alive and not a zombie (a zombie of ours is reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def end(pids: list[int], *, grace: float = 2.0) -> int:
    """SIGTERM, then after ``grace`` seconds SIGKILL; how many were still running after both."""
    victims = list(pids)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(running(pid) for pid in victims):
            time.sleep(0.05)
        victims = [pid for pid in victims if running(pid)]
        if not victims:
            break
    return len(victims)


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None
