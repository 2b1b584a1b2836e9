"""The journal: one append-only JSONL file per run, one event (``autogpt/events.py``) per
line. Each line is flushed and fsynced before the run goes on, so a ``kill -9`` loses at most
the command in flight. A snapshot (``state.json``) is replaced atomically after each cycle.

The API key and proxy credentials never reach it: events carry prompts, replies and results,
never settings values; ``redact`` scrubs known secrets from every line as a second guard.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from autogpt.events import RunEvent, parse
from autogpt.journal import legacy

log = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
STATE = "state.json"
REPORT = "report.md"


def new_session_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def sessions_dir(data_dir: Path) -> Path:
    return data_dir / "sessions"


class Journal:
    def __init__(self, folder: Path, *, secrets_to_hide: Iterable[str] = ()) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / JOURNAL
        self._secrets = [s for s in secrets_to_hide if s and len(s) >= 6]
        self._handle = open(self.path, "a", encoding="utf-8")

    @property
    def session_id(self) -> str:
        return self.folder.name

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def write(self, event: RunEvent, *, durable: bool = True) -> None:
        """Write one event. ``durable=False`` skips the fsync (the line is still flushed): for
        accounting lines that the next durable event, written moments later, makes durable."""
        self._handle.write(self.redact(event.line()) + "\n")
        self._handle.flush()
        if durable:
            os.fsync(self._handle.fileno())

    def snapshot(self, state: dict[str, Any]) -> None:
        """Counters for ``--list-sessions``; the journal, not this, is what a resume reads, so
        it is replaced atomically but not fsynced."""
        write_atomic(
            self.folder / STATE, self.redact(json.dumps(state, ensure_ascii=False)), durable=False
        )

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        if durable:
            os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class ReadResult:
    events: list[dict[str, Any]]
    torn: bool
    """The last line was cut (the run was killed mid-write); it was left out."""


def read_events(path: Path) -> ReadResult:
    events: list[dict[str, Any]] = []
    torn = False
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.read().split("\n")
    last_index = len(lines) - 1
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            if i >= last_index - 1:
                torn = True
            continue
        if isinstance(event, dict):
            events.append(event)
    return ReadResult(events, torn)


@dataclass(frozen=True)
class RunRecord:
    events: list[RunEvent]
    torn: bool
    legacy: bool
    """Begun by a version before typed events (``journal/legacy.py`` read its records)."""


def read_run(path: Path) -> RunRecord:
    """The journal's events; lines of unknown types or newer versions are left out. A record
    without a version is one of the first format (a session begun by an older version and
    resumed by this one holds both)."""
    read = read_events(path)
    events: list[RunEvent] = []
    for record in read.events:
        if "v" in record:
            event = parse(record)
            events.extend([event] if event is not None else [])
        else:
            events.extend(legacy.convert([record]))
    return RunRecord(events, read.torn, legacy=bool(read.events) and "v" not in read.events[0])


def iter_sessions(data_dir: Path) -> Iterator[Path]:
    root = sessions_dir(data_dir)
    if not root.exists():
        return iter(())
    return iter(sorted((p for p in root.iterdir() if (p / JOURNAL).exists()), key=_mtime))


def _mtime(path: Path) -> float:
    try:
        return (path / JOURNAL).stat().st_mtime
    except OSError:
        return 0.0


def load_state(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / STATE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
