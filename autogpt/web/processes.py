"""The browser's processes, found by the private profile directory on their command line.

``driver.quit()`` normally ends Chromium; when it cannot (Ctrl-C in the middle of a command, a
crashed driver), every process whose command line names the profile directory is ended here, so
none outlives the run. A run killed outright (``kill -9``, a closed laptop) cannot clean up: the
profile directory names the agent's pid, and the next browser start ends what such a dead run
left behind (``sweep_orphans``). Linux ``/proc`` only; elsewhere nothing is found.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PROFILE_PREFIX = "autogpt-browser-"
_OWNED = re.compile(re.escape(PROFILE_PREFIX) + r"(\d+)-")


def profile_prefix() -> str:
    """The prefix of this run's profile directory: it names the agent's pid."""
    return f"{PROFILE_PREFIX}{os.getpid()}-"


def sweep_orphans(folder: Path | None = None) -> int:
    """End the browsers of agent runs that died without closing them, and remove their
    profiles; how many profiles were swept. Profiles of live runs are left alone."""
    swept = 0
    for entry in Path(folder or tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}*"):
        match = _OWNED.match(entry.name)
        if not match or not entry.is_dir() or _alive(int(match.group(1))):
            continue
        kill_profile_processes(entry)
        shutil.rmtree(entry, ignore_errors=True)
        swept += 1
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def kill_profile_processes(profile_dir: Path) -> int:
    """End every process whose command line names this browser's profile dir; how many."""
    marker = str(profile_dir).encode()
    victims = [pid for pid, cmdline in _processes() if marker in cmdline]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and any(_running(pid) for pid in victims):
            time.sleep(0.05)
        victims = [pid for pid in victims if _running(pid)]
        if not victims:
            break
    return len(victims)


def browser_processes(marker: str = PROFILE_PREFIX) -> list[int]:
    """Pids of live processes started by this module (their command line names our profile)."""
    return [pid for pid, cmdline in _processes() if marker.encode() in cmdline and _running(pid)]


def _processes() -> Iterator[tuple[int, bytes]]:
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


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":  # a zombie of ours: reap it
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True
