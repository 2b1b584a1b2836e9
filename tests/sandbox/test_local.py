"""The local sandbox's own guarantees and its fallbacks (bubblewrap → unshare → refuse)."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from autogpt.commands import code
from autogpt.commands.registry import Registry
from autogpt.sandbox.local import etc_masks
from autogpt.sandbox.select import executor
from tests.sandbox.conftest import Factory
from tests.support.system import need

REAL_WHICH = shutil.which


def hide_tools(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Make ``names`` look uninstalled to the sandbox code (the real binaries stay)."""

    def which(cmd: str, *args: object, **kwargs: object) -> str | None:
        return None if cmd in names else REAL_WHICH(cmd, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("autogpt.sandbox.local.shutil.which", which)


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


def test_without_bubblewrap_it_falls_back_to_unshare_and_says_files_are_visible(
    make_ctx: Factory, env: pytest.MonkeyPatch
) -> None:
    need(REAL_WHICH("unshare") is not None, "unshare (util-linux) is not installed")
    hide_tools(env, "bwrap")
    env.setenv("OPENAI_API_KEY", "sk-agent-secret-123")
    ctx = make_ctx("auto")
    env.setenv("DOCKER_HOST", f"unix://{ctx.workspace.root.parent}/no-engine.sock")
    choice = executor(ctx).choice()
    assert choice.name == "local" and choice.local_kind == "unshare"
    assert "files outside the workspace are visible" in choice.reason
    source = (
        "import os, socket\n"
        "print(sorted(os.environ))\n"
        "print(open('/proc/1/environ', 'rb').read())\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
        "    print('CONNECTED')\n"
        "except OSError as exc:\n"
        "    print('no network', type(exc).__name__)\n"
    )
    result = code.execute_python_code(ctx, source, "ns.py")
    assert "no network" in result
    assert "agent-secret" not in result and "OPENAI" not in result


def test_without_any_isolation_it_refuses_and_says_how_to_opt_in(
    make_ctx: Factory, env: pytest.MonkeyPatch
) -> None:
    hide_tools(env, "bwrap", "unshare")
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


def test_opting_in_runs_unsandboxed_and_says_so(make_ctx: Factory, env: pytest.MonkeyPatch) -> None:
    hide_tools(env, "bwrap", "unshare")
    env.setenv("OPENAI_API_KEY", "sk-agent-secret-123")
    ctx = make_ctx("local", allow_unsandboxed_execution=True)
    choice = executor(ctx).choice()
    assert choice.local_kind == "unsandboxed" and "UNSANDBOXED" in choice.reason
    result = code.execute_python_code(ctx, "import os\nprint(dict(os.environ))\n", "bare.py")
    assert "exit status 0" in result and "unsandboxed" in result
    assert "agent-secret" not in result


@pytest.mark.parametrize("kind", ["bwrap", "unshare"])
def test_each_local_kind_runs_a_trivial_script_fast(
    make_ctx: Factory, env: pytest.MonkeyPatch, kind: str
) -> None:
    need(REAL_WHICH(kind) is not None, f"{kind} is not installed")
    if kind == "unshare":
        hide_tools(env, "bwrap")
    ctx = make_ctx("local")
    code.execute_python_code(ctx, "print('warm')\n", "warm.py")
    started = time.monotonic()
    result = code.execute_python_file(ctx, "warm.py")
    assert "warm" in result
    assert time.monotonic() - started < 1.0
