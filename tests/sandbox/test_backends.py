"""The same behaviour from both sandboxes, against a real Docker engine and real bubblewrap."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.commands import code
from autogpt.commands.context import CommandContext
from tests.sandbox.conftest import Factory, sandbox_labelled_containers

OWNER = 1234


@pytest.fixture(params=["docker", "local"])
def backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    request.getfixturevalue("docker_ready" if backend == "docker" else "bwrap_ready")
    return backend


@pytest.fixture
def ctx(make_ctx: Factory, backend: str) -> CommandContext:
    return make_ctx(backend)


def run(ctx: CommandContext, source: str, name: str = "job.py") -> str:
    return code.execute_python_code(ctx, source, name)


def test_prints_and_writes_a_file_owned_by_the_workspace_owner(
    make_ctx: Factory, backend: str, owned_dir: Path
) -> None:
    ctx = make_ctx(backend)
    ctx.workspace.root = owned_dir  # a workspace that belongs to another user than the agent
    result = run(ctx, "print('hello from the sandbox')\nopen('out.txt', 'w').write('data')\n")
    assert "exit status 0" in result
    assert "hello from the sandbox" in result
    assert "Files created in the workspace: out.txt (4 bytes)" in result
    written = owned_dir / "out.txt"
    assert written.read_text(encoding="utf-8") == "data"
    assert (written.stat().st_uid, written.stat().st_gid) == (OWNER, OWNER)


@pytest.fixture
def owned_dir() -> Iterator[Path]:
    """A workspace owned by uid/gid 1234 in a directory every user can traverse (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("changing a workspace's owner needs root")
    path = Path(tempfile.mkdtemp(prefix="autogpt-owned-"))
    os.chown(path, OWNER, OWNER)
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_script_arguments_are_passed(ctx: CommandContext) -> None:
    ctx.workspace.write_text("argv.py", "import sys\nprint(sys.argv[1:])\n")
    result = code.execute_python_file(ctx, "argv.py", ["one", "two words"])
    assert "['one', 'two words']" in result


def test_a_crash_returns_the_traceback_and_the_user_sees_it_labelled(ctx: CommandContext) -> None:
    result = run(ctx, "def inner():\n    return 1 / 0\n\ninner()\n", "crash.py")
    assert "failed with exit status 1" in result
    assert "Traceback (most recent call last)" in result
    assert 'crash.py", line 2, in inner' in result
    assert "ZeroDivisionError: division by zero" in result
    user_view = result.shown  # type: ignore[attr-defined]
    assert "program output (stderr" in user_view
    assert "    | ZeroDivisionError: division by zero" in user_view


def test_an_endless_loop_is_killed_at_the_timeout(make_ctx: Factory, backend: str) -> None:
    ctx = make_ctx(backend, execute_timeout=2)
    started = time.monotonic()
    result = run(ctx, "print('started', flush=True)\nwhile True:\n    pass\n", "spin_forever.py")
    took = time.monotonic() - started
    assert "killed: timed out after 2 s" in result
    assert "started" in result  # output up to the kill is kept
    assert took < 6
    if backend == "docker":
        assert sandbox_labelled_containers() == []
    else:
        assert not _processes_running("spin_forever.py")


def _processes_running(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path("/proc", pid, "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(pid))
    return found


def test_a_memory_hog_is_stopped_and_reported(make_ctx: Factory, backend: str) -> None:
    ctx = make_ctx(backend, execute_memory_limit_mb=64)
    result = run(ctx, "blob = b'x' * (400 * 1024 * 1024)\nprint(len(blob))\n", "hog.py")
    assert "419430400" not in result
    assert "out of memory (limit 64 MB" in result


def test_network_access_is_refused(ctx: CommandContext) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        source = (
            "import socket\n"
            "for host in ('127.0.0.1', '1.1.1.1'):\n"
            "    try:\n"
            f"        socket.create_connection((host, {port}), timeout=1)\n"
            "        print('CONNECTED', host)\n"
            "    except OSError as exc:\n"
            "        print('refused', host, type(exc).__name__)\n"
        )
        result = run(ctx, source, "net.py")
    finally:
        listener.close()
    assert "CONNECTED" not in result
    assert "refused 127.0.0.1" in result and "refused 1.1.1.1" in result


def test_nothing_outside_the_workspace_is_visible(ctx: CommandContext) -> None:
    secret = ctx.workspace.root.parent / "beside-the-workspace.txt"
    secret.write_text("secret", encoding="utf-8")
    home = Path.home()
    skeleton = {".bashrc", ".profile", ".bash_logout", ".cache", ".config", ".local"}
    home_entries = sorted(set(os.listdir(home)) - skeleton) if home.is_dir() else []
    probes = [str(secret), str(Path.cwd())]
    if home_entries:
        probes.append(str(home / home_entries[0]))
    source = (
        "import os\n"
        f"for path in {probes!r}:\n"
        "    print('VISIBLE' if os.path.exists(path) else 'hidden', path)\n"
        "print('cwd', os.getcwd())\n"
    )
    result = run(ctx, source, "look.py")
    assert "VISIBLE" not in result
    assert result.count("hidden") == len(probes)
    assert "cwd /workspace" in result


def test_no_api_key_or_proxy_credential_reaches_the_code(
    ctx: CommandContext, env: pytest.MonkeyPatch
) -> None:
    env.setenv("OPENAI_API_KEY", "sk-agent-secret-123")
    env.setenv("GITHUB_TOKEN", "ghp-agent-secret-456")
    env.setenv("SEARCH_API_KEY", "agent-secret-789")
    env.setenv("HTTPS_PROXY", "http://user:agent-secret-pw@proxy:3128")
    source = (
        "import os\n"
        "print(dict(os.environ))\n"
        f"for pid in ('1', '{os.getpid()}'):\n"
        "    try:\n"
        "        print(pid, open(f'/proc/{pid}/environ', 'rb').read())\n"
        "    except OSError as exc:\n"
        "        print(pid, 'unreadable', type(exc).__name__)\n"
    )
    result = run(ctx, source, "env.py")
    assert "exit status 0" in result
    assert "agent-secret" not in result
    for name in ("OPENAI_API_KEY", "GITHUB_TOKEN", "SEARCH_API_KEY", "HTTPS_PROXY"):
        assert name not in result


def test_a_long_output_is_cut_to_the_budget_with_a_note(make_ctx: Factory, backend: str) -> None:
    ctx = make_ctx(backend, budget=300)
    source = "for i in range(20000):\n    print('line', i)\nraise SystemExit('the end')\n"
    result = run(ctx, source, "chatty.py")
    assert ctx.count_tokens(result) <= 300
    assert "line 0" in result and "line 19999" in result
    assert "[Output cut to fit:" in result
    assert "the end" in result
