"""The state of a run that the journal records and ``--resume`` rebuilds."""

from __future__ import annotations

from dataclasses import dataclass, field

from autogpt.agent.budget import CostTracker
from autogpt.agent.stuck import StuckDetector
from autogpt.prompt.compact import brief, compact
from autogpt.prompt.context import Turn


@dataclass
class RunState:
    cycle: int = 0
    """Model replies acted on (each counts toward the continuous limit, an unusable one too)."""
    turns: list[Turn] = field(default_factory=list)
    summary: str | None = None
    summarized_upto: int = 0
    """Turns before this index are folded into ``summary``."""
    compacted_upto: int = 0
    """Turns before this index are shown in their short form (``prompt/compact.py``)."""
    costs: CostTracker = field(default_factory=CostTracker)
    tool_mode: bool = False
    stuck: StuckDetector = field(default_factory=StuckDetector)
    corrections: int = 0
    """Corrective requests sent after unusable replies, over the run."""
    started: float = 0.0

    def view(self) -> list[Turn]:
        """The live turns as the prompt shows them: old ones compacted, recent ones brief."""
        return [
            compact(t) if i < self.compacted_upto else brief(t)
            for i, t in enumerate(self.turns)
            if i >= self.summarized_upto
        ]
