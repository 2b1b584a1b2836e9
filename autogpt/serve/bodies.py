"""What the clients send: the bodies of ``POST /agent/tasks`` and ``POST .../steps``.

Unknown keys in ``additional_input`` are refused (a misspelt ``goal`` would otherwise be dropped
without a word); the agent's settings are not reachable from a request.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_GOALS = 5
MAX_TEXT = 20_000


class TaskInput(BaseModel):
    """The AI of a task; without ``goals`` the task's ``input`` is its one goal."""

    model_config = ConfigDict(extra="forbid")

    ai_name: str | None = Field(default=None, max_length=200)
    ai_role: str | None = Field(default=None, max_length=2_000)
    goals: list[str] | None = Field(default=None, min_length=1, max_length=MAX_GOALS)
    continuous_limit: int | None = Field(default=None, ge=1)
    """At most this many cycles (steps that asked the model) in the task."""
    budget: float | None = Field(default=None, ge=0)
    """Dollars; the task stops before a request would exceed it."""

    @field_validator("goals")
    @classmethod
    def _goals_have_text(cls, goals: list[str] | None) -> list[str] | None:
        if goals is None:
            return None
        cleaned = [goal.strip() for goal in goals]
        if any(not goal for goal in cleaned):
            raise ValueError("every goal needs a text")
        if any(len(goal) > MAX_TEXT for goal in cleaned):
            raise ValueError(f"a goal may have at most {MAX_TEXT} characters")
        return cleaned


class TaskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input: str | None = Field(default=None, max_length=MAX_TEXT)
    additional_input: TaskInput | None = None

    def goals(self) -> list[str]:
        extra = self.additional_input.goals if self.additional_input else None
        if extra:
            return extra
        text = (self.input or "").strip()
        if not text:
            raise ValueError("a task needs an input (its goal) or additional_input.goals")
        return [text]

    def stored_additional_input(self) -> dict[str, Any]:
        if self.additional_input is None:
            return {}
        return self.additional_input.model_dump(exclude_none=True)


class StepRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input: str | None = Field(default=None, max_length=MAX_TEXT)
    additional_input: dict[str, Any] | None = None
