"""One run of a program in the workspace: snapshot, run, snapshot again.

What the run did comes back as a plain :class:`ProgramRun`; ``commands/`` turns it into the text
for the model and the one for the user (``autogpt.sandbox.output`` formats both).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autogpt.sandbox import output
from autogpt.sandbox.base import Backend, ExecRequest, ExecResult, Limits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgramRun:
    """The program's result and the files it created, changed or deleted in the workspace."""

    label: str
    result: ExecResult
    changes: output.FileChanges


def run_in_workspace(
    backend: Backend,
    argv: Sequence[str],
    *,
    root: Path,
    limits: Limits,
    label: str,
    notify: Callable[[str], None] = lambda message: None,
) -> ProgramRun:
    """Run ``argv`` with the workspace ``root`` as working directory.

    Anything the program does is a result; only an unusable backend raises
    (:class:`~autogpt.sandbox.base.SandboxUnavailable`, a ``CommandError``).
    """
    notify(f"Running `{label}` ({backend.name}, timeout {limits.timeout:g} s) ...")
    before = output.snapshot(root)
    result = backend.run(ExecRequest(tuple(argv), root, limits))
    changes = output.diff(before, output.snapshot(root))
    log.info(
        "%s: exit %s, %.2f s, timed out %s, oom %s",
        label,
        result.exit_code,
        result.duration,
        result.timed_out,
        result.oom_killed,
    )
    return ProgramRun(label, result, changes)
