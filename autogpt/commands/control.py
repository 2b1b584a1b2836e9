"""Ending the run."""

from __future__ import annotations

from autogpt.commands.registry import Finish, command

FINISH_COMMAND = "task_complete"
"""The command that ends the run (the permission dialog offers no 'always' for it)."""


@command()
def task_complete(reason: str) -> Finish:
    """Finish the run when all goals are done; give the reason."""
    return Finish(reason)
