"""Where every event of the run goes, in this order: the journal, the run state, the watchers.

The one path by which a run changes: the journal line is written (and fsynced) before the state
changes, so a kill at any point leaves a journal that replays to the state the run had.
"""

from __future__ import annotations

from autogpt.agent.events import Show
from autogpt.agent.state import RunState
from autogpt.events import RequestAccounted, RunEvent
from autogpt.journal.journal import Journal


class Recorder:
    def __init__(self, journal: Journal, state: RunState, show: Show) -> None:
        self.journal = journal
        self.state = state
        self.show = show

    def __call__(self, event: RunEvent) -> None:
        # an accounting line is made durable by the next event, written moments later
        self.journal.write(event, durable=not isinstance(event, RequestAccounted))
        self.state.apply(event)
        self.show(event)
