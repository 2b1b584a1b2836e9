"""How a cycle, and a run, ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OutcomeKind = Literal[
    "continue",
    "finished",
    "user_exit",
    "limit",
    "budget",
    "stuck",
    "input_closed",
    "interrupted",
    "terminated",
    "hangup",
    "output_closed",
    "model_unavailable",
    "error",
]


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    reason: str = ""
