"""The AI profile file (``ai_settings.yaml``): name, role, up to five goals, budget.

UTF-8 both ways and no escaping, so Chinese goals stay readable. Never prompts.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_GOALS = 5
DEFAULT_NAME = "Entrepreneur-GPT"
DEFAULT_ROLE = (
    "an AI designed to autonomously develop and run businesses with the sole goal of increasing "
    "your net worth."
)


class ProfileError(Exception):
    """The file exists but cannot be used; the message says why."""


@dataclass
class AIProfile:
    ai_name: str = DEFAULT_NAME
    ai_role: str = DEFAULT_ROLE
    ai_goals: list[str] = field(default_factory=list)
    api_budget: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "ai_name": self.ai_name,
            "ai_role": self.ai_role,
            "ai_goals": list(self.ai_goals),
            "api_budget": self.api_budget,
        }


def load_profile(path: Path) -> AIProfile | None:
    """The profile, None when the file does not exist, ProfileError when it is broken."""
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise ProfileError(f"{path} is not valid YAML{at}") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ProfileError(f"{path} should hold ai_name, ai_role and ai_goals")
    goals = data.get("ai_goals") or []
    if isinstance(goals, str):
        goals = [goals]
    if not isinstance(goals, list):
        raise ProfileError(f"{path}: ai_goals should be a list")
    try:
        budget = float(data.get("api_budget") or 0.0)
    except (TypeError, ValueError):
        raise ProfileError(f"{path}: api_budget should be a number of dollars") from None
    name = str(data.get("ai_name") or "").strip()
    role = str(data.get("ai_role") or "").strip()
    if not name or not role:
        raise ProfileError(f"{path}: ai_name and ai_role must not be empty")
    return AIProfile(
        ai_name=name,
        ai_role=role,
        ai_goals=[str(g).strip() for g in goals if str(g).strip()][:MAX_GOALS],
        api_budget=budget,
    )


def save_profile(profile: AIProfile, path: Path) -> None:
    text = yaml.safe_dump(profile.to_dict(), allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def keep_broken(path: Path) -> Path:
    """Move a broken profile aside (never overwrite it silently); returns where it went."""
    backup = path.with_name(path.name + ".broken")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.broken{n}")
    path.rename(backup)
    return backup
