"""execute_python_file / execute_python_code as the model calls them: through the registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.commands import code
from autogpt.commands.context import CommandContext, RunResources
from autogpt.commands.registry import Registry
from autogpt.workspace import Workspace
from tests.sandbox.conftest import make_settings
from tests.support.system import need

REGISTRY = Registry.from_modules([code])


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CommandContext]:
    import shutil

    need(shutil.which("bwrap") is not None, "bubblewrap is not installed")
    workspace = Workspace(tmp_path / "ws")
    workspace.ensure()
    context = CommandContext(
        workspace=workspace,
        settings=make_settings(execution_backend="local"),
        resources=RunResources(),
    )
    yield context
    context.resources.close_all()


def call(ctx: CommandContext, command_name: str, **args: Any) -> tuple[bool, str]:
    answer = REGISTRY.dispatch(command_name, args, ctx)
    return answer.ok, answer.text


def test_schemas_name_the_auto_gpt_arguments() -> None:
    assert REGISTRY.get("execute_python_file").arg_names == ["filename", "args"]  # type: ignore[union-attr]
    assert REGISTRY.get("execute_python_code").arg_names == ["code", "name"]  # type: ignore[union-attr]


def test_runs_a_workspace_file_with_arguments(ctx: CommandContext) -> None:
    ctx.workspace.write_text(
        "tools/count.py", "import sys\nprint(len(sys.argv) - 1, sys.argv[1:])\n"
    )
    ok, text = call(ctx, "execute_python_file", filename="tools/count.py", args=["a", "b"])
    assert ok and "2 ['a', 'b']" in text


def test_code_is_written_then_run_and_the_name_gets_py(ctx: CommandContext) -> None:
    ok, text = call(ctx, "execute_python_code", code="print(6 * 7)", name="answer")
    assert ok
    assert text.startswith("Code written to answer.py.\n")
    assert "42" in text
    assert (ctx.workspace.root / "answer.py").read_text(encoding="utf-8") == "print(6 * 7)"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("notes.txt", "not a .py file"),
        ("missing.py", "does not exist"),
        ("../escape.py", "outside the workspace"),
        ("/etc/passwd.py", "outside the workspace"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    ctx: CommandContext, filename: str, expected: str
) -> None:
    ctx.workspace.write_text("notes.txt", "x")
    ok, text = call(ctx, "execute_python_file", filename=filename)
    assert not ok and expected in text


def test_a_crash_in_the_users_code_is_a_result_not_an_agent_error(ctx: CommandContext) -> None:
    ok, text = call(ctx, "execute_python_code", code="import nothing_here", name="bad.py")
    assert ok  # the command worked; the program failed
    assert "exit status 1" in text and "ModuleNotFoundError" in text


def test_python_code_text_is_utf8(ctx: CommandContext) -> None:
    ok, text = call(ctx, "execute_python_code", code="print('冰淇淋市场')", name="zh.py")
    assert ok and "冰淇淋市场" in text
