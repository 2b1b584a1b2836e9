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
        values.setdefault("execution_backend", "local")
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


def test_globs_expand_in_the_workspace_and_quotes_stop_them(make: Any, sandboxed: None) -> None:
    ctx = make()
    ctx.workspace.write_text("a.txt", "x\n")
    ctx.workspace.write_text("b.txt", "y\n")
    ctx.workspace.write_text("sub/c.txt", "z\n")
    ok, text = run(ctx, "wc -l *.txt")
    assert ok and "a.txt" in text and "b.txt" in text and "2 total" in text
    ok, text = run(ctx, "find . -name '*.txt'")
    assert ok and "./sub/c.txt" in text


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


def test_python3_is_not_on_the_default_allowlist(make: Any) -> None:
    ctx = make()
    assert "python3" not in ctx.settings.shell_allowlist
    ok, text = run(ctx, "python3 -c 'print(1)'")
    assert not ok and "'python3' is not an allowed command" in text


@pytest.mark.parametrize(
    ("allow", "line", "expected"),
    [
        ("python3", "python3 -c 'print(1)'", "execute_python_code"),
        ("sh", "sh -c id", "'sh' runs any code"),
        ("env,sh", "env sh -c id", "env can only print the environment"),
        ("env,ls", "env LD_PRELOAD=./x.so ls", "env can only print the environment"),
        ("xargs,ls", "xargs -a list.txt ls", "'xargs' starts other programs"),
        ("find,env,sh", "find . -exec env sh -c id \\;", "env can only print the environment"),
        ("find,cat", "find . -execdir {} \\;", "'{}' is not an allowed command"),
        ("find,cat", "find . -exec * \\;", "written out, not a pattern"),
        ("awk", "awk 'BEGIN { system(\"id\") }'", "awk: system()"),
        ("awk", "awk 'BEGIN { print | \"sh\" }'", "awk: pipes"),
        ("awk", "awk 'BEGIN { \"id\" | getline x }'", "awk: pipes"),
        ("awk", "awk -f prog.awk data.csv", "awk: -f"),
        ("awk", "awk *", "written out, not a pattern"),
        ("git", "git -c core.pager=id log", "'git' starts other programs"),
        ("tar", "tar -cf a.tar --to-command=id a.txt", "tar: --to-command"),
        ("tar", "tar -xf a.tar --to-com=id", "tar: --to-com"),
        ("tar", "tar -cf a.tar -I id a.txt", "tar: -I"),
        ("tar", "tar cIf id a.tar a.txt", "tar: cIf"),
        ("tar", "tar -cf a.tar --checkpoint=1 --checkpoint-action=exec=id a.txt", "tar:"),
        ("tar", "tar -cf a.tar -T names.txt", "tar: -T"),
        ("sort", "sort --compress-program=id a.txt", "sort: --compress-program"),
        ("split", "split --filter=id a.txt", "split: --filter"),
        ("ls", "*", "written out, not a pattern"),
    ],
)
def test_programs_that_start_programs_are_refused_or_argument_checked(
    make: Any, allow: str, line: str, expected: str
) -> None:
    ok, text = run(make(shell_allowlist=allow), line)
    assert not ok and expected in text, text


def test_checked_programs_still_run_their_ordinary_forms(make: Any, sandboxed: None) -> None:
    ctx = make(shell_allowlist="find,cat,awk,tar,env,sed")
    ctx.workspace.write_text("data.csv", "a,b\n1,2\n")
    ok, text = run(ctx, "find . -name '*.csv' -exec cat {} \\;")
    assert ok and "1,2" in text, text
    ok, text = run(ctx, "awk -F, '$1 == 1 || $2 == 9 { print $2 }' data.csv")
    assert ok and "--- stdout ---\n2" in text, text
    ok, text = run(ctx, "tar -cf out.tar data.csv")
    assert ok and "out.tar" in text, text
    ok, text = run(ctx, "env")
    assert ok and "PATH=" in text
    ok, text = run(ctx, "sed -n 2p data.csv")
    assert ok and "--- stdout ---\n1,2" in text, text


def test_sed_cannot_run_commands(make: Any, sandboxed: None) -> None:
    ctx = make(shell_allowlist="sed")
    ctx.workspace.write_text("data.csv", "a,b\n")
    ok, text = run(ctx, "sed -n '1e id' data.csv")
    assert "uid=" not in text
    assert "disabled in sandbox mode" in text, text


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_globs_are_expanded_inside_the_sandbox_not_on_the_host(
    make: Any, request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    request.getfixturevalue("docker_ready" if backend == "docker" else "sandboxed")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".host-only-name").write_text("x", encoding="utf-8")
    ctx = make(execution_backend=backend)
    (ctx.workspace.root / "r").symlink_to(outside)
    ctx.workspace.write_text("a.txt", "x\n")
    ctx.workspace.write_text("b.txt", "y\n")
    ok, text = run(ctx, "echo r/.* *.txt")
    assert ok and "host-only-name" not in text, text
    assert "a.txt b.txt" in text


def test_a_glob_match_starting_with_a_dash_is_not_read_as_an_option(
    make: Any, sandboxed: None
) -> None:
    ctx = make()
    ctx.workspace.write_text("--version", "x\n")
    ok, text = run(ctx, "wc -l *")
    assert ok and "1 ./--version" in text, text
    assert "GNU" not in text


def test_the_label_shows_patterns_unquoted_and_quotes_the_rest(make: Any, sandboxed: None) -> None:
    ctx = make()
    ok, text = run(ctx, "echo *.none 'two words'")
    assert ok and text.startswith("`echo *.none 'two words'` finished"), text
