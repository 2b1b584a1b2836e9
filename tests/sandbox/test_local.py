"""The local sandbox's own guarantees, and what happens without it (refuse, or opted-in bare)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autogpt.commands import code
from autogpt.commands.registry import Registry
from autogpt.sandbox.local import etc_masks
from autogpt.sandbox.select import executor
from tests.sandbox.conftest import Factory, hide_from_path


def test_etc_secrets_are_masked(make_ctx: Factory, bwrap_ready: None) -> None:
    ctx = make_ctx("local")
    source = (
        "import os\n"
        "for path in ('/etc/shadow', '/etc/passwd'):\n"
        "    try:\n"
        "        print(path, len(open(path).read()))\n"
        "    except OSError as exc:\n"
        "        print(path, type(exc).__name__)\n"
        "print('usr', os.path.isdir('/usr/lib'), 'var', os.path.exists('/var/lib'))\n"
    )
    result = code.execute_python_code(ctx, source, "etc.py")
    assert "/etc/shadow 0" in result or "/etc/shadow PermissionError" in result
    assert "/etc/passwd 0" not in result  # ordinary system files stay readable
    assert "usr True var False" in result


def test_etc_masks_cover_unreadable_files() -> None:
    files, _dirs = etc_masks()
    if os.path.exists("/etc/shadow"):
        assert "/etc/shadow" in files


def test_without_bubblewrap_or_docker_code_is_refused_with_the_install_hint(
    make_ctx: Factory, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """bubblewrap hidden from PATH (every other program stays): no home-made half sandbox runs
    the code, which would otherwise read /etc/shadow, the agent's .env and write into /etc."""
    hide_from_path(env, tmp_path, "bwrap")
    ctx = make_ctx("auto")
    env.setenv("DOCKER_HOST", f"unix://{ctx.workspace.root.parent}/no-engine.sock")
    registry = Registry.from_modules([code])
    choice = executor(ctx).choice()
    assert choice.name == "off"
    assert "bubblewrap is not installed" in choice.reason
    assert "apt-get install bubblewrap" in choice.reason
    assert "ALLOW_UNSANDBOXED_EXECUTION=true" in choice.reason
    source = "print(open('/etc/shadow').read())\nopen('/etc/autogpt-was-here', 'w')\n"
    answer = registry.dispatch("execute_python_code", {"code": source, "name": "leak.py"}, ctx)
    assert not answer.ok and "apt-get install bubblewrap" in answer.text
    assert not os.path.exists("/etc/autogpt-was-here")
    assert not (ctx.workspace.root / "leak.py").exists()


def test_without_bubblewrap_the_local_backend_refuses_and_says_how_to_opt_in(
    make_ctx: Factory, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hide_from_path(env, tmp_path, "bwrap")
    ctx = make_ctx("local")
    registry = Registry.from_modules([code])
    choice = executor(ctx).choice()
    assert choice.name == "off"
    assert "ALLOW_UNSANDBOXED_EXECUTION=true" in choice.reason
    ctx.workspace.write_text("hello.py", "print('hi')\n")
    answer = registry.dispatch("execute_python_file", {"filename": "hello.py"}, ctx)
    assert not answer.ok
    assert "not available" in answer.text and "bubblewrap" in answer.text
    # Once known, the commands leave the prompt.
    assert [spec.name for spec in registry.available(ctx)] == []


def test_opting_in_runs_unsandboxed_and_says_so(
    make_ctx: Factory, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hide_from_path(env, tmp_path, "bwrap")
    env.setenv("OPENAI_API_KEY", "sk-agent-secret-123")
    ctx = make_ctx("local", allow_unsandboxed_execution=True)
    choice = executor(ctx).choice()
    assert choice.local_kind == "unsandboxed" and "UNSANDBOXED" in choice.reason
    result = code.execute_python_code(ctx, "import os\nprint(dict(os.environ))\n", "bare.py")
    assert "exit status 0" in result and "unsandboxed" in result
    assert "agent-secret" not in result


def test_bubblewrap_runs_a_trivial_script_fast(make_ctx: Factory, bwrap_ready: None) -> None:
    ctx = make_ctx("local")
    code.execute_python_code(ctx, "print('warm')\n", "warm.py")
    started = time.monotonic()
    result = code.execute_python_file(ctx, "warm.py")
    assert "warm" in result
    assert time.monotonic() - started < 1.0
