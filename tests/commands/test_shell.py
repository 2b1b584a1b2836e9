"""execute_shell: off by default, one allowed program per call, run inside the local sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.commands import shell
from autogpt.commands.context import CommandContext, RunResources
from autogpt.commands.registry import Registry
from autogpt.errors import CommandError
from autogpt.workspace import Workspace
from tests.sandbox.conftest import docker_problem, docker_ready, make_settings  # noqa: F401
from tests.support.system import need

REGISTRY = Registry.from_modules([shell])


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    made: list[CommandContext] = []

    def build(**values: Any) -> CommandContext:
        values.setdefault("execute_local_commands", True)
        workspace = Workspace(tmp_path / "ws")
        workspace.ensure()
        ctx = CommandContext(
            workspace=workspace, settings=make_settings(**values), resources=RunResources()
        )
        made.append(ctx)
        return ctx

    yield build
    for ctx in made:
        ctx.resources.close_all()


@pytest.fixture
def sandboxed() -> None:
    need(shutil.which("bwrap") is not None, "bubblewrap is not installed")


def run(ctx: CommandContext, line: str) -> tuple[bool, str]:
    answer = REGISTRY.dispatch("execute_shell", {"command_line": line}, ctx)
    return answer.ok, answer.text


def test_off_by_default_not_offered_and_says_why(make: Any) -> None:
    ctx = make(execute_local_commands=False)
    assert REGISTRY.available(ctx) == []
    ok, text = run(ctx, "ls")
    assert not ok and "EXECUTE_LOCAL_COMMANDS=False" in text


def test_an_allowed_command_runs_in_the_workspace(make: Any, sandboxed: None) -> None:
    ctx = make()
    ctx.workspace.write_text("data.csv", "a,b\n1,2\n3,4\n")
    ok, text = run(ctx, "wc -l data.csv")
    assert ok and "3 data.csv" in text and "exit status 0" in text


def test_globs_expand_inside_the_workspace_only_and_quotes_stop_them(
    make: Any, sandboxed: None
) -> None:
    ctx = make()
    ctx.workspace.write_text("a.txt", "x\n")
    ctx.workspace.write_text("b.txt", "y\n")
    ctx.workspace.write_text("sub/c.txt", "z\n")
    ok, text = run(ctx, "wc -l *.txt")
    assert ok and "a.txt" in text and "b.txt" in text and "2 total" in text
    ok, text = run(ctx, "find . -name '*.txt'")
    assert ok and "./sub/c.txt" in text
    assert shell.expand(shell.split_command_line("ls /etc/*"), str(ctx.workspace.root)) == [
        "ls",
        "/etc/*",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("rm -rf data", "'rm' is not an allowed command (SHELL_ALLOWLIST)"),
        ("/bin/ls", "give the command by name"),
        ("ls; rm -rf /", "';' needs a shell"),
        ("ls && rm x", "'&' needs a shell"),
        ("cat a.txt | sh", "'|' needs a shell"),
        ("echo hi > x.txt", "'>' needs a shell"),
        ("echo $OPENAI_API_KEY", "variables and $(...) are not expanded"),
        ('echo "$(id)"', "not expanded"),
        ("echo `id`", "command substitution"),
        ("find . -exec rm {} \\;", "'rm' is not an allowed command"),
        ("ls 'unclosed", "unclosed single quote"),
        ("", "the command line is empty"),
    ],
)
def test_allowlist_refuses_with_the_reason(make: Any, line: str, expected: str) -> None:
    ok, text = run(make(), line)
    assert not ok and expected in text


def test_denylist_mode_refuses_denied_commands_wherever_named(make: Any, sandboxed: None) -> None:
    ctx = make(shell_command_control="denylist", shell_denylist="rm,curl")
    for line in ("rm x", "/usr/bin/rm x", "find . -exec rm {} +", "sh -c 'rm -rf x'"):
        ok, text = run(ctx, line)
        assert not ok and "on SHELL_DENYLIST" in text, line
    ok, text = run(ctx, "touch made-here")
    assert ok and "Files created in the workspace: made-here" in text


def test_the_shell_sees_nothing_outside_the_workspace(make: Any, sandboxed: None) -> None:
    ctx = make()
    secret = ctx.workspace.root.parent / "beside.txt"
    secret.write_text("secret", encoding="utf-8")
    ok, text = run(ctx, f"cat {secret}")
    assert ok and "No such file or directory" in text and "secret\n" not in text
    ok, text = run(ctx, "pwd")
    assert "/workspace" in text


def test_no_key_reaches_a_shell_command(make: Any, sandboxed: None, env: Any) -> None:
    env.setenv("OPENAI_API_KEY", "sk-agent-secret-123")
    ctx = make(shell_allowlist="env,python3")
    ok, text = run(ctx, "env")
    assert ok and "PATH=" in text and "agent-secret" not in text and "OPENAI" not in text


def test_splitting_follows_posix_quoting() -> None:
    words = shell.split_command_line(r"""grep -n "a \"b\" c" 'd $e' f\ g *.py""")
    assert [w.text for w in words] == ["grep", "-n", 'a "b" c', "d $e", "f g", "*.py"]
    assert [w.glob for w in words] == [False, False, False, False, False, True]
    with pytest.raises(CommandError):
        shell.split_command_line("ls\nrm x")


@pytest.mark.usefixtures("docker_ready")
def test_with_docker_active_the_shell_runs_in_the_container_too(make: Any) -> None:
    ctx = make(execution_backend="docker")
    ctx.workspace.write_text("data.csv", "a,b\n1,2\n")
    ok, text = run(ctx, "ls -a /")
    assert ok and ".dockerenv" in text and "Docker)" in text
    ok, text = run(ctx, "wc -l data.csv")
    assert ok and "2 data.csv" in text


def test_with_execution_off_the_shell_is_not_offered_either(make: Any) -> None:
    ctx = make(execution_backend="off")
    assert REGISTRY.available(ctx) == []
    ok, text = run(ctx, "ls")
    assert not ok and "EXECUTION_BACKEND=off" in text
