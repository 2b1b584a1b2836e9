"""What every execution backend shares: the request, the result, the limits, the process runner.

A backend runs one program (``python3 script.py``, or an allowed shell command) with the workspace
as its working directory and returns an :class:`ExecResult`; it never formats text for the model
(``output.py`` does) and never raises for anything the program does (a crash, a timeout, running
out of memory are results). It raises :class:`SandboxUnavailable` when it cannot run at all.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from autogpt.errors import CommandError
from autogpt.process_group import kill_group

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

KEEP_BYTES = 64 * 1024
"""How much of each stream is kept from its start and from its end; the middle is counted only."""

TMP_SIZE_MB = 64
"""The size of the sandbox's private ``/tmp`` (and ``/dev/shm``), in both backends."""

SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class SandboxUnavailable(CommandError):
    """No backend can run the code; the message says why and what the user can do."""


@dataclass(frozen=True)
class Limits:
    timeout: float
    memory_mb: int
    cpus: float
    pids: int
    file_size_mb: int
    """The largest file the code may write (RLIMIT_FSIZE), in both backends."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            timeout=settings.execute_timeout,
            memory_mb=settings.execute_memory_limit_mb,
            cpus=settings.execute_cpu_limit,
            pids=settings.execute_pids_limit,
            file_size_mb=settings.execute_file_size_limit_mb,
        )


@dataclass(frozen=True)
class ExecRequest:
    argv: tuple[str, ...]
    """``argv[0]`` is ``python3`` (each backend substitutes its interpreter) or a command name."""
    workspace: Path
    """Host path of the workspace; the program sees it as its working directory."""
    limits: Limits


@dataclass(frozen=True)
class Stream:
    """One output stream: its start and end kept, the middle only counted."""

    head: bytes
    tail: bytes
    total_bytes: int

    @property
    def cut_bytes(self) -> int:
        return self.total_bytes - len(self.head) - len(self.tail)

    @classmethod
    def of(cls, data: bytes, keep: int = KEEP_BYTES) -> Stream:
        if len(data) <= 2 * keep:
            return cls(data, b"", len(data))
        return cls(data[:keep], data[-keep:], len(data))

    def text(self) -> str:
        """Everything kept, with a marker where the middle was dropped."""
        head = self.head.decode("utf-8", errors="replace")
        if not self.tail:
            return head
        tail = self.tail.decode("utf-8", errors="replace")
        return f"{head}\n[... {self.cut_bytes} bytes not kept ...]\n{tail}"


@dataclass(frozen=True)
class ExecResult:
    backend: str
    """``docker``, ``bubblewrap`` or ``unsandboxed``."""
    exit_code: int | None
    """``None`` when the program was killed by us (timeout)."""
    stdout: Stream
    stderr: Stream
    duration: float
    timed_out: bool = False
    oom_killed: bool = False
    memory_limit_mb: int = 0
    timeout: float = 0.0


class Backend(Protocol):
    name: str

    def run(self, request: ExecRequest) -> ExecResult: ...

    def close(self) -> None: ...


class _Collector(threading.Thread):
    """Reads a pipe to its end, keeping the first and last ``keep`` bytes."""

    def __init__(self, pipe: object, keep: int = KEEP_BYTES) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.keep = keep
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_len = 0
        self.total = 0

    def run(self) -> None:
        read = self.pipe.read1  # type: ignore[attr-defined]
        try:
            while chunk := read(65536):
                self.total += len(chunk)
                room = self.keep - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail.append(chunk)
                    self.tail_len += len(chunk)
                    while self.tail and self.tail_len - len(self.tail[0]) >= self.keep:
                        self.tail_len -= len(self.tail.popleft())
        except (OSError, ValueError):  # pipe closed under us after a kill
            pass

    def stream(self) -> Stream:
        tail = b"".join(self.tail)[-self.keep :] if self.tail else b""
        if self.total <= len(self.head) + len(tail):
            return Stream(bytes(self.head) + tail, b"", self.total)
        return Stream(bytes(self.head), tail, self.total)


@dataclass(frozen=True)
class ProcessOutcome:
    returncode: int | None
    stdout: Stream
    stderr: Stream
    duration: float
    timed_out: bool


def run_process(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path | None,
    timeout: float,
    user: int | None = None,
    group: int | None = None,
) -> ProcessOutcome:
    """Run ``argv`` in a new session; at ``timeout`` seconds the whole process group is killed.

    Output is read as it comes (so a chatty program cannot fill memory or block on a full pipe)
    and only its start and end are kept.
    """
    start = time.monotonic()
    proc = subprocess.Popen(  # argv is built by the backends, never run by a shell
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        close_fds=True,
        start_new_session=True,
        user=user,
        group=group if user is not None else None,
        extra_groups=[] if user is not None else None,
    )
    out, err = _Collector(proc.stdout), _Collector(proc.stderr)
    out.start()
    err.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_group(proc.pid)  # leftovers of a finished run, or everything after a timeout
        proc.wait()
    duration = time.monotonic() - start
    for collector in (out, err):
        collector.join(timeout=2.0)  # a grandchild that escaped the group may hold the pipe
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return ProcessOutcome(
        None if timed_out else proc.returncode,
        out.stream(),
        err.stream(),
        duration,
        timed_out,
    )


def sandbox_env(home: str = "/tmp") -> dict[str, str]:
    """The whole environment of executed code: built from nothing, so no key or proxy leaks in."""
    return {
        "PATH": SANDBOX_PATH,
        "HOME": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }
