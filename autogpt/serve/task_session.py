"""The session a task runs: its own settings (workspace, data folder), profile and options,
built through :func:`autogpt.session.run_session` with the task's :class:`Driver`.

A task's data (journal, state, report, long-term memory) lives in ``<data dir>/<task_id>/``,
its files in ``<workspace root>/<task_id>/``: two folders, so the journal is never an artifact.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from autogpt.agent.events import Notice, Show
from autogpt.config.ai_profile import DEFAULT_NAME, AIProfile
from autogpt.config.settings import Settings
from autogpt.events import Ended
from autogpt.journal import resume as resuming
from autogpt.journal.journal import JOURNAL, read_run, sessions_dir
from autogpt.session import Driver, RunOptions, run_session
from autogpt.ui.console import Console

log = logging.getLogger(__name__)

NoticeLevel = Literal["info", "warn", "error", "debug"]

DEFAULT_ROLE = "an AI that completes the task it is given, using the files in its workspace"


@dataclass(frozen=True)
class TaskPlan:
    """What a task was created with; saved in its record."""

    task_id: str
    goals: list[str]
    ai_name: str | None = None
    ai_role: str | None = None
    continuous_limit: int = 0
    budget: float | None = None


class TaskConsole(Console):
    """The session's few lines meant for a terminal (the model line, the report's path), kept
    for the log and the next step's notices; it never prints and never reads."""

    def __init__(self, show: Show) -> None:
        super().__init__(no_color=True)
        self.interactive = False
        self._show = show

    def line(self, text: str = "", style: str | None = None) -> None:
        log.info("%s", text)
        if style != "dim":  # the report's path and "Resume with": the terminal's, not a client's
            self._show(Notice(text))

    def labelled(self, label: str, text: str, style: str) -> None:
        level: NoticeLevel = (
            "warn" if label == "WARNING:" else "error" if label == "ERROR:" else "info"
        )
        log.info("%s %s", label, text)
        self._show(Notice(text if level != "info" else f"{label} {text}", level))

    def start_spinner(self, label: str) -> None:
        pass

    def stop_spinner(self) -> None:
        pass

    @contextmanager
    def waiting(self, label: str) -> Iterator[None]:
        yield

    def ask(self, question: str, prompt: str = "Input:", *, hidden: bool = False) -> str:
        raise EOFError("a task of the server has no terminal to ask")


class TaskSession:
    """Starts (or resumes, when its journal exists) the session of one task."""

    def __init__(
        self,
        plan: TaskPlan,
        *,
        settings: Settings,
        data_root: Path,
        workspace_root: Path,
        secrets: list[str],
    ) -> None:
        self.plan = plan
        self.data_dir = data_root / plan.task_id
        self.workspace = workspace_root / plan.task_id
        self.folder = sessions_dir(self.data_dir) / plan.task_id
        self.settings = settings.model_copy(
            update={"autogpt_data_dir": str(self.data_dir), "workspace_path": str(self.workspace)}
        )
        self._secrets = secrets

    @property
    def journal_path(self) -> Path:
        return self.folder / JOURNAL

    def profile(self) -> AIProfile:
        return AIProfile(
            ai_name=(self.plan.ai_name or "").strip() or DEFAULT_NAME,
            ai_role=(self.plan.ai_role or "").strip() or DEFAULT_ROLE,
            ai_goals=list(self.plan.goals),
        )

    def run(self, driver: Driver) -> int:
        """The whole run, in the task's thread: returns the exit code as the terminal's."""
        loaded = None
        if self.journal_path.exists():
            loaded = resuming.load_session(self.data_dir, self.plan.task_id)
            profile = loaded.profile
            options = RunOptions(**loaded.options)
            driver.show(Notice(f"Resuming the task at cycle {loaded.state.cycle}."))
        else:
            profile = self.profile()
            budget = self.plan.budget
            options = RunOptions(
                continuous=False,
                continuous_limit=self.plan.continuous_limit,
                workspace=str(self.workspace),
                budget=budget if budget is not None else (self.settings.api_budget or 0.0),
            )
        args = argparse.Namespace(
            gpt3only=False, debug=False, wipe_memory=False, continuous_limit=None
        )
        return run_session(
            args,
            TaskConsole(driver.show),
            self.settings,
            profile,
            options,
            self.folder,
            loaded,
            self._secrets,
            driver=driver,
        )

    def last_end(self) -> dict[str, object] | None:
        """The last ``end`` event (its record): how the run ended (``status``), and why."""
        if not self.journal_path.exists():
            return None
        events = read_run(self.journal_path).events
        end = next((e for e in reversed(events) if isinstance(e, Ended)), None)
        return end.record() if end else None
