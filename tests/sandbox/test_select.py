"""Choosing the backend: lazily, once, within 2 s, and saying why in one line."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autogpt.commands import code
from autogpt.commands.registry import Registry
from autogpt.sandbox.select import executor
from tests.sandbox.conftest import Factory

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_commands_loads_no_docker_sdk_and_probes_nothing() -> None:
    script = (
        "import sys\n"
        "import autogpt.commands.code, autogpt.commands.shell, autogpt.sandbox\n"
        "heavy = [m for m in ('docker', 'requests') if m in sys.modules]\n"
        "print('heavy', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "heavy []" in out


def test_nothing_is_probed_until_first_needed(make_ctx: Factory) -> None:
    ctx = make_ctx("auto")
    registry = Registry.from_modules([code])
    offered = [spec.name for spec in registry.available(ctx)]
    assert offered == ["execute_python_file", "execute_python_code"]
    assert executor(ctx).peek() is None


def test_auto_uses_docker_when_the_engine_answers(make_ctx: Factory, docker_ready: None) -> None:
    ctx = make_ctx("auto")
    choice = executor(ctx).choice()
    assert choice.name == "docker"
    assert choice.reason.startswith("Python runs in Docker (")
    result = code.execute_python_code(ctx, "print('in docker')\n", "where.py")
    assert "in docker" in result and "Docker)" in result


def test_auto_falls_back_to_the_local_sandbox_when_the_engine_is_unreachable(
    make_ctx: Factory, env: pytest.MonkeyPatch, bwrap_ready: None, tmp_path: Path
) -> None:
    env.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    ctx = make_ctx("auto")
    started = time.monotonic()
    choice = executor(ctx).choice()
    assert time.monotonic() - started < 2.5
    assert choice.name == "local"
    assert choice.reason.startswith("Docker not reachable")
    assert "Python runs in the local sandbox (bubblewrap) — weaker isolation than Docker" in (
        choice.reason
    )
    assert executor(ctx).choice() is choice  # cached for the run
    result = code.execute_python_code(ctx, "print('ran anyway')\n", "fallback.py")
    assert "ran anyway" in result and "local sandbox" in result


def test_an_engine_that_does_not_answer_is_given_up_after_2_seconds(
    make_ctx: Factory, env: pytest.MonkeyPatch, bwrap_ready: None
) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never replies
    try:
        env.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{silent.getsockname()[1]}")
        ctx = make_ctx("auto")
        started = time.monotonic()
        choice = executor(ctx).choice()
        took = time.monotonic() - started
    finally:
        silent.close()
    assert choice.name == "local"
    assert "no answer within 2 s" in choice.reason
    assert 1.5 < took < 3.5


def test_auto_with_the_image_missing_uses_the_local_sandbox_and_names_the_image(
    make_ctx: Factory, docker_ready: None, bwrap_ready: None
) -> None:
    ctx = make_ctx("auto", python_docker_image="autogpt-no-such-image:0")
    choice = executor(ctx).choice()
    assert choice.name == "local"
    assert "autogpt-no-such-image:0 not found" in choice.reason


def test_docker_backend_with_a_missing_image_says_which_and_how_to_get_it(
    make_ctx: Factory, docker_ready: None
) -> None:
    ctx = make_ctx("docker", python_docker_image="autogpt-no-such-image:0")
    registry = Registry.from_modules([code])
    ctx.workspace.write_text("hello.py", "print('hi')\n")
    answer = registry.dispatch("execute_python_file", {"filename": "hello.py"}, ctx)
    assert not answer.ok
    assert "The Docker image 'autogpt-no-such-image:0' is not on this machine" in answer.text
    assert "docker pull autogpt-no-such-image:0" in answer.text
    assert "Traceback" not in answer.text


def test_docker_backend_with_the_engine_unreachable_is_a_message_not_a_crash(
    make_ctx: Factory, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    ctx = make_ctx("docker")
    registry = Registry.from_modules([code])
    answer = registry.dispatch("execute_python_code", {"code": "print(1)", "name": "one.py"}, ctx)
    assert not answer.ok
    assert "Docker not reachable" in answer.text and "EXECUTION_BACKEND" in answer.text
    assert not (ctx.workspace.root / "one.py").exists()  # nothing written when nothing can run
    assert registry.available(ctx) == []


def test_off_hides_the_commands_and_explains_if_called(make_ctx: Factory) -> None:
    ctx = make_ctx("off")
    registry = Registry.from_modules([code])
    assert registry.available(ctx) == []
    answer = registry.dispatch("execute_python_code", {"code": "print(1)", "name": "x"}, ctx)
    assert not answer.ok and "EXECUTION_BACKEND=off" in answer.text
    assert executor(ctx).choice().reason == "Code execution is off (EXECUTION_BACKEND=off)."


def test_the_choice_can_be_made_in_a_background_thread_and_read_later(
    make_ctx: Factory, env: pytest.MonkeyPatch, tmp_path: Path, bwrap_ready: None
) -> None:
    import threading

    env.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    ctx = make_ctx("auto")
    sandbox = executor(ctx)
    worker = threading.Thread(target=sandbox.choice)
    worker.start()
    first = sandbox.choice()  # waits for the probe in flight rather than probing twice
    worker.join()
    assert sandbox.peek() is first
