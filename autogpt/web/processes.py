"""The browser's processes, found by the private profile directory on their command line.

``driver.quit()`` normally ends Chromium; when it cannot (Ctrl-C in the middle of a command, a
crashed driver), every process whose command line names the profile directory is ended here, so
none outlives the run. A run killed outright (``kill -9``, a closed laptop) cannot clean up: the
profile directory names the agent's pid, and the next browser start ends what such a dead run
left behind (``sweep_orphans``). Linux ``/proc`` only; elsewhere nothing is found.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from autogpt import orphans

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
        if not match or not entry.is_dir() or orphans.alive(int(match.group(1))):
            continue
        kill_profile_processes(entry)
        shutil.rmtree(entry, ignore_errors=True)
        swept += 1
    return swept


def kill_profile_processes(profile_dir: Path) -> int:
    """End every process whose command line names this browser's profile dir; how many."""
    marker = str(profile_dir).encode()
    victims = [pid for pid, cmdline in orphans.processes() if marker in cmdline]
    return orphans.end(victims)


def browser_processes(marker: str = PROFILE_PREFIX) -> list[int]:
    """Pids of live processes started by this module (their command line names our profile)."""
    return [
        pid
        for pid, cmdline in orphans.processes()
        if marker.encode() in cmdline and orphans.running(pid)
    ]
