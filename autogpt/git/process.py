"""Running ``git`` under caps: a deadline and a size limit on the folder it fills.

git has no option for either, so it runs in a process group of its own (it starts helpers:
``git-remote-http``, ``index-pack``) while we watch the clock and the size of its folder; over
either cap the whole group is killed. Its messages go to a file, so a chatty server cannot fill
a pipe and stall it; only their tail is kept.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from autogpt.process_group import kill_group

POLL_SECONDS = 0.1
MESSAGE_TAIL = 4000
"""The most of git's messages kept (their end: that is where the reason is)."""


@dataclass(frozen=True)
class GitRun:
    returncode: int
    messages: str
    stopped: Literal["timeout", "too_big"] | None = None
    size: int = 0


def folder_size(folder: Path) -> int:
    """Bytes in ``folder`` and below, links not followed (a link counts its own size)."""
    total = 0
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(Path(entry.path))
                        else:
                            total += entry.stat(follow_symlinks=False).st_size
                    except FileNotFoundError:
                        continue  # git renames its temporary files as it goes
        except (FileNotFoundError, NotADirectoryError):
            continue
    return total


def run_capped(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    watch: Path,
    messages: Path,
    timeout: float,
    max_bytes: int,
) -> GitRun:
    """Run ``args`` (no shell) until it ends, ``timeout`` seconds pass, or ``watch`` holds more
    than ``max_bytes``; in the last two cases its process group is killed."""
    with messages.open("wb") as out:
        process = subprocess.Popen(
            list(args),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    stopped: Literal["timeout", "too_big"] | None = None
    size = 0
    try:
        while process.poll() is None:
            started = time.monotonic()
            size = folder_size(watch)
            looked = time.monotonic() - started
            if size > max_bytes:
                stopped = "too_big"
            elif time.monotonic() > deadline:
                stopped = "timeout"
            if stopped:
                _end(process)
                break
            time.sleep(max(POLL_SECONDS, 4 * looked))  # a big checkout: look less often
    except BaseException:  # Ctrl+C while cloning: no git left behind
        _end(process)
        raise
    if stopped is None:
        size = folder_size(watch)
        if size > max_bytes:  # it ended between two looks: still too big to keep
            stopped = "too_big"
    with messages.open("rb") as handle:  # a chatty server may have written a lot
        handle.seek(max(messages.stat().st_size - MESSAGE_TAIL, 0))
        data = handle.read()
    return GitRun(
        returncode=process.wait(),
        messages=data.decode("utf-8", errors="replace"),
        stopped=stopped,
        size=size,
    )


def _end(process: subprocess.Popen[bytes]) -> None:
    """Its whole group killed, then reaped."""
    kill_group(process.pid)
    process.wait()
