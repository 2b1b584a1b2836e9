"""The AI profile file (``ai_settings.yaml``): name, role, up to five goals, budget.

UTF-8 both ways and no escaping, so Chinese goals stay readable. Never prompts.
"""

from __future__ import annotations

import difflib
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


FIELDS = ("ai_name", "ai_role", "ai_goals", "api_budget")


class ProfileError(Exception):
    """The file exists but cannot be used; the message says why."""


@dataclass
class AIProfile:
    ai_name: str = DEFAULT_NAME
    ai_role: str = DEFAULT_ROLE
    ai_goals: list[str] = field(default_factory=list)
    api_budget: float = 0.0
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)
    """What was used instead of what the file said; not saved."""

    def to_dict(self) -> dict[str, object]:
        return {
            "ai_name": self.ai_name,
            "ai_role": self.ai_role,
            "ai_goals": list(self.ai_goals),
            "api_budget": self.api_budget,
        }


def load_profile(path: Path) -> AIProfile | None:
    """The profile, None when the file does not exist, ProfileError when it is broken.

    What is used in place of what the file says is in ``warnings`` (a sixth goal dropped, an
    empty role replaced by the default, an unknown field ignored), for the UI to show."""
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
    warnings = [_unknown_field(path, str(key)) for key in data if key not in FIELDS]
    goals = data.get("ai_goals") or []
    if isinstance(goals, str):
        goals = [goals]
    if not isinstance(goals, list):
        raise ProfileError(f"{path}: ai_goals should be a list")
    try:
        budget = float(data.get("api_budget") or 0.0)
    except (TypeError, ValueError):
        raise ProfileError(f"{path}: api_budget should be a number of dollars") from None
    goals = [str(g).strip() for g in goals if g is not None and str(g).strip()]
    if len(goals) > MAX_GOALS:
        dropped = ", ".join(repr(g) for g in goals[MAX_GOALS:])
        warnings.append(
            f"{path} has {len(goals)} goals; only the first {MAX_GOALS} are used. "
            f"Not used: {dropped}"
        )
    name = str(data.get("ai_name") or "").strip()
    role = str(data.get("ai_role") or "").strip()
    if not name:
        warnings.append(f"{path}: ai_name is empty; using the default name {DEFAULT_NAME!r}")
    if not role:
        warnings.append(f"{path}: ai_role is empty; using the default role {DEFAULT_ROLE!r}")
    return AIProfile(
        ai_name=name or DEFAULT_NAME,
        ai_role=role or DEFAULT_ROLE,
        ai_goals=goals[:MAX_GOALS],
        api_budget=budget,
        warnings=[w for w in warnings if w],
    )


def _unknown_field(path: Path, key: str) -> str:
    close = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(FIELDS)})"
    return f"{path}: unknown field {key!r} is ignored{hint}"


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
