"""Code execution from the agent's side: the backend is named at start, a crash in the user's
code is a result for the model, and the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.sandbox.conftest import path_without
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer
from tests.support.system import need

CRASH = "print('partial output')\nopen('made.txt', 'w').write('x')\n1/0\n"


def test_without_docker_python_runs_in_the_local_sandbox_and_says_so(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    need(shutil.which("bwrap") is not None, "bubblewrap is not installed")
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("execute_python_code", {"name": "crash.py", "code": CRASH}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "4",
        "-y",
        env=agent_env(
            model_server, DOCKER_HOST="unix:///nonexistent/docker.sock", EXECUTION_BACKEND="auto"
        ),
    )
    assert done.returncode == 0, done.stdout
    assert "Docker not reachable" in done.stdout and "local sandbox (bubblewrap)" in done.stdout
    result = model_server.requests[1].messages[-1]["content"]
    assert "ZeroDivisionError: division by zero" in result
    assert "partial output" in result and "made.txt" in result
    assert (workspace / "made.txt").exists()
    assert "Traceback" not in done.stderr
    # The terminal shows the program's output once, labelled and indented as the program's.
    assert done.stdout.count("ZeroDivisionError: division by zero") == 1
    assert "    | ZeroDivisionError: division by zero" in done.stdout
    assert "    | partial output" in done.stdout


def test_execution_off_removes_the_commands_from_the_prompt(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("execute_python_file", {"filename": "x.py"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server, "-c", "-l", "4", "-y", env=agent_env(model_server, EXECUTION_BACKEND="off")
    )
    assert done.returncode == 0, done.stdout
    assert "execute_python_file" not in model_server.requests[0].messages[0]["content"]
    assert "not available" in model_server.requests[1].messages[-1]["content"]


def test_without_bubblewrap_or_docker_code_is_refused_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """bubblewrap hidden from PATH, Docker unreachable: no weaker sandbox is used instead."""
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply(
                "execute_python_code",
                {"name": "leak.py", "code": "print(open('/etc/shadow').read())"},
            ),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "4",
        "-y",
        env=agent_env(
            model_server,
            DOCKER_HOST="unix:///nonexistent/docker.sock",
            EXECUTION_BACKEND="auto",
            PATH=path_without(tmp_path, "bwrap"),
        ),
    )
    assert done.returncode == 0, done.stdout
    assert "bubblewrap is not installed" in done.stdout
    assert "apt-get install bubblewrap" in done.stdout
    result = model_server.requests[1].messages[-1]["content"]
    assert "apt-get install bubblewrap" in result and "root:" not in result
    assert not (workspace / "leak.py").exists()
    assert "Traceback" not in done.stderr
