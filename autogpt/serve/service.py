"""The tasks of the server: creating one, running its steps, its artifacts, stopping them all.

A step waits for its task's thread without holding the event loop, so one task waiting on the
model never delays another task's request. Steps of one task run one after the other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogpt.config.settings import Settings
from autogpt.serve.artifacts import Artifacts
from autogpt.serve.bodies import TaskRequest
from autogpt.serve.runner import STOP_WAIT_SECONDS, Pause, TaskRun
from autogpt.serve.steps import answer_for, build_step
from autogpt.serve.task_session import TaskPlan, TaskSession
from autogpt.serve.tasks import Task, TaskStore

log = logging.getLogger(__name__)

FIRST_STEP_NOTE = (
    "This step started the agent (after a restart of the server: resumed it from its "
    "journal) and returns its first proposal; the input is not used. Send it again to the "
    "next step."
)


class TaskEnded(Exception):
    def __init__(self, task: Task) -> None:
        super().__init__(f"Task {task.task_id} has ended ({task.outcome}); it takes no more steps.")


@dataclass(frozen=True)
class ServerConfig:
    settings: Settings
    data_root: Path
    workspace_root: Path
    secrets: list[str]
    max_upload_bytes: int


class TaskService:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store = TaskStore(config.data_root)
        self._sessions: dict[str, tuple[TaskSession, Artifacts]] = {}

    def create(self, request: TaskRequest) -> Task:
        extra = request.additional_input
        plan = TaskPlan(
            task_id=TaskStore.new_id(),
            goals=request.goals(),
            ai_name=extra.ai_name if extra else None,
            ai_role=extra.ai_role if extra else None,
            continuous_limit=(extra.continuous_limit or 0) if extra else 0,
            budget=extra.budget if extra else None,
        )
        task = self.store.create(
            input=request.input, additional_input=request.stored_additional_input(), plan=plan
        )
        self.session(task).workspace.mkdir(parents=True, exist_ok=True)
        return task

    def session(self, task: Task) -> TaskSession:
        return self._session_of(task)[0]

    def artifacts(self, task: Task) -> Artifacts:
        return self._session_of(task)[1]

    def _session_of(self, task: Task) -> tuple[TaskSession, Artifacts]:
        made = self._sessions.get(task.task_id)
        if made is None:
            c = self.config
            session = TaskSession(
                task.plan,
                settings=c.settings,
                data_root=c.data_root,
                workspace_root=c.workspace_root,
                secrets=c.secrets,
            )
            made = self._sessions[task.task_id] = (
                session,
                Artifacts(session.workspace, session.data_dir),
            )
        return made

    async def step(self, task: Task, given: str | None) -> dict[str, Any]:
        async with task.step_lock:
            if task.ended:
                raise TaskEnded(task)
            session = self.session(task)
            note = None
            if task.run is None:
                task.run = TaskRun(task.task_id, session.run)
                note = FIRST_STEP_NOTE if (given or "").strip() else None
            files = self.artifacts(task)
            before = {a.path: a.created_at for a in await asyncio.to_thread(files.all)}
            pause = await asyncio.wrap_future(task.run.advance(answer_for(given)))
            return await asyncio.to_thread(
                self._record, task, session, files, before, given, pause, note
            )

    def _record(
        self,
        task: Task,
        session: TaskSession,
        files: Artifacts,
        before: dict[str, str],
        given: str | None,
        pause: Pause,
        note: str | None,
    ) -> dict[str, Any]:
        """The step as returned and kept, with the files it created or changed (in a worker
        thread: it reads the workspace and writes the task's records)."""
        end = session.last_end() if pause.ended else None
        step = build_step(task_id=task.task_id, given=given, pause=pause, end=end, note=note)
        changed = [a for a in files.all() if before.get(a.path) != a.created_at]
        step["artifacts"] = [a.to_json() for a in changed]
        if pause.ended:
            task.ended = True
            task.outcome = step["additional_output"]["status"]
            self.store.save(task)
        self.store.add_step(task, step)
        return step

    def stop(self) -> None:
        """The server stops: each run waiting for an answer is saved as interrupted; all are
        waited for together, at most STOP_WAIT_SECONDS."""
        threads = [t for t in (run.stop() for run in self.store.live_runs()) if t is not None]
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
