"""The server's tasks and their steps, kept in memory and on disk under the data folder.

``<data dir>/<task_id>/task.json`` holds the task as created and how it ended; ``steps.jsonl``
its steps, one line each. Both are read back at start-up, so tasks survive a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from autogpt.journal.journal import write_atomic
from autogpt.serve.runner import TaskRun
from autogpt.serve.task_session import TaskPlan

log = logging.getLogger(__name__)

TASK_FILE = "task.json"
STEPS_FILE = "steps.jsonl"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Task:
    task_id: str
    input: str | None
    additional_input: dict[str, Any]
    plan: TaskPlan
    created_at: str
    ended: bool = False
    outcome: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    run: TaskRun | None = None
    step_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One step of a task at a time (a second waits for the first)."""

    def record(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "input": self.input,
            "additional_input": self.additional_input,
            "plan": vars(self.plan),
            "created_at": self.created_at,
            "ended": self.ended,
            "outcome": self.outcome,
        }


class TaskStore:
    def __init__(self, data_root: Path) -> None:
        self.root = data_root
        self.root.mkdir(parents=True, exist_ok=True)
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._load()

    def create(
        self, *, input: str | None, additional_input: dict[str, Any], plan: TaskPlan
    ) -> Task:
        task = Task(plan.task_id, input, additional_input, plan, now_iso())
        (self.root / task.task_id).mkdir(parents=True, exist_ok=True)
        self.save(task)
        with self._lock:
            self._tasks[task.task_id] = task
        return task

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def all(self) -> list[Task]:
        with self._lock:
            return sorted(self._tasks.values(), key=lambda t: t.created_at)

    def live_runs(self) -> list[TaskRun]:
        with self._lock:
            return [t.run for t in self._tasks.values() if t.run is not None and not t.run.ended]

    def save(self, task: Task) -> None:
        text = json.dumps(task.record(), ensure_ascii=False, indent=1)
        write_atomic(self.root / task.task_id / TASK_FILE, text)

    def add_step(self, task: Task, step: dict[str, Any]) -> None:
        with open(self.root / task.task_id / STEPS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(step, ensure_ascii=False, default=str) + "\n")
        task.steps.append(step)

    def _load(self) -> None:
        for path in self.root.glob(f"*/{TASK_FILE}"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                task = Task(
                    data["task_id"],
                    data.get("input"),
                    data.get("additional_input") or {},
                    TaskPlan(**data["plan"]),
                    data["created_at"],
                    ended=bool(data.get("ended")),
                    outcome=data.get("outcome"),
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("task record %s cannot be read (%s); left out", path, exc)
                continue
            task.steps = _read_steps(path.parent / STEPS_FILE)
            self._tasks[task.task_id] = task


def _read_steps(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    steps = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            step = json.loads(line)
        except ValueError:  # a line cut by a kill: the step is lost, the journal is not
            continue
        if isinstance(step, dict):
            steps.append(step)
    return steps


@dataclass(frozen=True)
class Page:
    items: list[Any]
    pagination: dict[str, int]


def paginate(items: list[Any], *, current_page: int, page_size: int) -> Page:
    total = len(items)
    start = (current_page - 1) * page_size
    return Page(
        items[start : start + page_size],
        {
            "total_items": total,
            "total_pages": max(1, math.ceil(total / page_size)) if total else 0,
            "current_page": current_page,
            "page_size": page_size,
        },
    )
