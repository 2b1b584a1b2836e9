"""Python execution commands: model-written code runs in Docker or the local sandbox, never bare.

The backend is chosen once per run (``autogpt.sandbox.select``); the Docker SDK is imported only
when Docker is first probed, so importing this module stays cheap.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import Shown, command
from autogpt.errors import CommandError
from autogpt.sandbox import output
from autogpt.sandbox.base import Backend, Limits
from autogpt.sandbox.runner import run_in_workspace
from autogpt.sandbox.select import executor

FileName = Annotated[str, Field(description="path of a .py file relative to the workspace")]


def code_unavailable(ctx: CommandContext) -> str | None:
    """Why Python cannot run this run, if known without probing (start-up stays fast)."""
    if ctx.settings.execution_backend == "off":
        return "code execution is off (EXECUTION_BACKEND=off)"
    choice = executor(ctx).peek()
    if choice is not None and not choice.available:
        return choice.reason
    return None


def run_program(
    ctx: CommandContext, backend: Backend, argv: Sequence[str], *, label: str, prefix: str = ""
) -> Shown:
    """Run ``argv`` in the workspace; the text for the model (within the result budget), and a
    shorter one for the user with the program's output labelled and indented as such."""
    run = run_in_workspace(
        backend,
        argv,
        root=ctx.workspace.root,
        limits=Limits.from_settings(ctx.settings),
        label=label,
        notify=ctx.notify,
    )
    for_model = output.for_model(
        label,
        run.result,
        run.changes,
        budget_tokens=ctx.result_budget_tokens,
        count=ctx.count_tokens,
        prefix=prefix,
    )
    return Shown(for_model, output.for_user(label, run.result, run.changes))


@command(available=code_unavailable)
def execute_python_file(
    ctx: CommandContext,
    filename: FileName,
    args: Annotated[
        list[str] | None, Field(description="command-line arguments for the script")
    ] = None,
) -> str:
    """Run a Python file from the workspace in a sandbox (no network) and return its output.

    The script's working directory is the workspace; it sees no other files of the machine.
    """
    return _run_file(ctx, filename, args)


def _run_file(ctx: CommandContext, filename: str, args: list[str] | None, prefix: str = "") -> str:
    path = ctx.workspace.resolve(filename)
    if path.suffix != ".py":
        raise CommandError(f"'{filename}' is not a .py file; only Python files can be run")
    if not path.is_file():
        raise CommandError(
            f"file '{filename}' does not exist; write it first (write_to_file) or use "
            "execute_python_code"
        )
    try:
        relative = path.relative_to(ctx.workspace.root).as_posix()
    except ValueError:
        raise CommandError(
            f"'{filename}' is outside the workspace; only its files can run"
        ) from None
    argv = ["python3", relative, *(args or [])]
    backend = executor(ctx).backend()
    label = shlex.join(argv)
    return run_program(ctx, backend, argv, label=label, prefix=prefix)


@command(available=code_unavailable)
def execute_python_code(
    ctx: CommandContext,
    code: Annotated[str, Field(description="the Python source")],
    name: Annotated[str, Field(description="file name for it in the workspace, e.g. job.py")],
) -> str:
    """Write Python code to a file in the workspace, run it in a sandbox, and return its output."""
    filename = name if name.endswith(".py") else f"{name}.py"
    executor(ctx).backend()  # no backend: say so before writing anything
    ctx.workspace.write_text(filename, code)
    return _run_file(ctx, filename, None, prefix=f"Code written to {filename}.\n")
