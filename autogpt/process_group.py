"""Ending a child's whole process group (children started with ``start_new_session=True``): its
own children go too, a player script's, git's remote helpers, a program's forks."""

from __future__ import annotations

import os
import signal


def kill_group(pgid: int) -> None:
    """SIGKILL to the group; one already gone (or no longer ours to signal) is not an error."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
