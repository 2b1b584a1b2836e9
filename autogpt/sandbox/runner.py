"""One run of a program in the workspace, as the commands need it: snapshot, run, report."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from autogpt.commands.registry import Shown
from autogpt.sandbox import output
from autogpt.sandbox.base import Backend, ExecRequest, Limits

if TYPE_CHECKING:
    from autogpt.commands.context import CommandContext

log = logging.getLogger(__name__)


def run_in_workspace(
    ctx: CommandContext, backend: Backend, argv: Sequence[str], *, label: str, prefix: str = ""
) -> Shown:
    """Run ``argv`` with the workspace as working directory; the text for the model, and a
    shorter one for the user with the program's output labelled and indented as such.

    Anything the program does is a result; only an unusable backend raises
    (:class:`~autogpt.sandbox.base.SandboxUnavailable`, a ``CommandError``).
    """
    root = ctx.workspace.root
    limits = Limits.from_settings(ctx.settings)
    ctx.notify(f"Running `{label}` ({backend.name}, timeout {limits.timeout:g} s) ...")
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
    for_model = output.for_model(
        label,
        result,
        changes,
        budget_tokens=ctx.result_budget_tokens,
        count=ctx.count_tokens,
        prefix=prefix,
    )
    return Shown(for_model, output.for_user(label, result, changes))
