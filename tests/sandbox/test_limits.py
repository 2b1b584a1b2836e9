"""Resource limits hold as documented, in both backends (real bubblewrap, real Docker), as root.

Kept cheap: a process limit of 16, a file-size limit of 1 MB, a few MB written to /tmp.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.commands import code
from autogpt.sandbox.select import executor
from tests.sandbox.conftest import Factory


@pytest.fixture(params=["docker", "local"])
def backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    request.getfixturevalue("docker_ready" if backend == "docker" else "bwrap_ready")
    return backend


FORKS = (
    "import os, time\n"
    "kids = []\n"
    "for _ in range(40):\n"
    "    try:\n"
    "        pid = os.fork()\n"
    "    except OSError as exc:\n"
    "        print('fork refused:', exc.strerror)\n"
    "        break\n"
    "    if pid == 0:\n"
    "        time.sleep(1)\n"
    "        os._exit(0)\n"
    "    kids.append(pid)\n"
    "print('forked', len(kids), 'uid', os.getuid())\n"
    "for pid in kids:\n"
    "    os.waitpid(pid, 0)\n"
)


def test_the_process_limit_holds_even_when_the_agent_is_root(
    make_ctx: Factory, backend: str
) -> None:
    ctx = make_ctx(backend, execute_pids_limit=16)
    result = code.execute_python_code(ctx, FORKS, "forks.py")
    assert "fork refused: Resource temporarily unavailable" in result, result
    forked = int(result.split("forked ")[1].split()[0])
    assert forked < 16


def test_as_root_the_local_sandbox_runs_as_an_unprivileged_uid_and_root_owns_the_files(
    make_ctx: Factory, bwrap_ready: None
) -> None:
    if os.geteuid() != 0:
        pytest.skip("what happens as root")
    ctx = make_ctx("local")
    ctx.workspace.write_text("notes.txt", "from the agent\n")
    source = (
        "import os\n"
        "print('uid', os.getuid())\n"
        "open('notes.txt', 'a').write('from the code\\n')\n"
        "os.mkdir('made')\n"
        "open('made/out.txt', 'w').write('x')\n"
    )
    result = code.execute_python_code(ctx, source, "who.py")
    assert "exit status 0" in result, result
    assert "uid 0" not in result
    root = ctx.workspace.root
    assert (root / "notes.txt").read_text(encoding="utf-8") == "from the agent\nfrom the code\n"
    for path in (root / "made", root / "made" / "out.txt", root / "notes.txt"):
        assert (path.stat().st_uid, path.stat().st_gid) == (0, 0)


def test_tmp_in_the_sandbox_is_size_limited(make_ctx: Factory, backend: str) -> None:
    ctx = make_ctx(backend, execute_file_size_limit_mb=200)
    source = (
        "import errno, os\n"
        "for path in ('/tmp/fill', '/dev/shm/fill', '/var/tmp/fill'):\n"
        "    written = 0\n"
        "    try:\n"
        "        with open(path, 'wb') as out:\n"
        "            for _ in range(100):\n"
        "                out.write(b'x' * 1024 * 1024)\n"
        "                written += 1\n"
        "            out.flush()\n"
        "        print(path, 'WROTE', written, 'MB')\n"
        "    except OSError as exc:\n"
        "        print(path, 'stopped at', written, 'MB:', errno.errorcode[exc.errno])\n"
        "    if os.path.exists(path):\n"
        "        os.remove(path)\n"
    )
    result = code.execute_python_code(ctx, source, "fill.py")
    assert "WROTE" not in result, result
    assert result.count("stopped at") == 3


def test_the_root_and_dev_of_the_local_sandbox_are_not_writable(
    make_ctx: Factory, bwrap_ready: None
) -> None:
    ctx = make_ctx("local")
    source = (
        "for path in ('/fill', '/dev/fill', '/etc/fill'):\n"
        "    try:\n"
        "        open(path, 'wb').write(b'x')\n"
        "        print(path, 'WRITABLE')\n"
        "    except OSError as exc:\n"
        "        print(path, 'refused', exc.strerror)\n"
    )
    result = code.execute_python_code(ctx, source, "root.py")
    assert "WRITABLE" not in result, result
    assert result.count("refused") == 3


def test_the_file_size_limit_holds_in_the_workspace(make_ctx: Factory, backend: str) -> None:
    ctx = make_ctx(backend, execute_file_size_limit_mb=1)
    source = (
        "try:\n"
        "    with open('big.bin', 'wb') as out:\n"
        "        for _ in range(3):\n"
        "            out.write(b'x' * 1024 * 1024)\n"
        "    print('WROTE 3 MB')\n"
        "except OSError as exc:\n"
        "    print('refused:', exc.strerror)\n"
    )
    result = code.execute_python_code(ctx, source, "big.py")
    assert "WROTE" not in result and "refused: File too large" in result, result
    assert (ctx.workspace.root / "big.bin").stat().st_size <= 1024 * 1024


def test_the_local_memory_limit_is_named_per_process(make_ctx: Factory, bwrap_ready: None) -> None:
    ctx = make_ctx("local", execute_memory_limit_mb=64)
    choice = executor(ctx).choice()
    assert "memory 64 MB per process" in choice.reason
    result = code.execute_python_code(ctx, "blob = b'x' * (200 * 1024 * 1024)\n", "hog.py")
    assert "out of memory (limit 64 MB per process" in result, result


def test_the_root_helper_ends_with_the_run(make_ctx: Factory, bwrap_ready: None) -> None:
    if os.geteuid() != 0:
        pytest.skip("what happens as root")
    ctx = make_ctx("local")
    code.execute_python_code(ctx, "print('x')\n", "x.py")
    holders = _holders()
    assert holders
    ctx.resources.close_all()
    assert not set(holders) & set(_holders())


def _holders() -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmdline = Path("/proc", pid, "cmdline").read_bytes()
        except OSError:
            continue
        if b"an id-mapped mount" in cmdline:
            found.append(int(pid))
    return found


@pytest.fixture
def ramfs_workspace(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/ws`` on a ramfs, a file system that has no id-mapped mounts (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    path = tmp_path / "ws"
    path.mkdir()
    subprocess.run(["mount", "-t", "ramfs", "ramfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_as_root_where_the_workspace_cannot_be_id_mapped_the_lost_limit_is_said(
    make_ctx: Factory, bwrap_ready: None, ramfs_workspace: Path
) -> None:
    ctx = make_ctx("local")
    assert ctx.workspace.root == ramfs_workspace
    choice = executor(ctx).choice()
    assert choice.name == "local"
    assert "as root" in choice.reason and "EXECUTE_PIDS_LIMIT does not hold" in choice.reason
    result = code.execute_python_code(ctx, "print('still runs')\n", "ok.py")
    assert "still runs" in result
