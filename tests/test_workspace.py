import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.errors import CommandError
from autogpt.workspace import PathOutsideWorkspace, Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path / "ws")
    w.ensure()
    return w


@pytest.mark.parametrize(
    "name", ["../x.txt", "a/../../x.txt", "/etc/passwd", "~/secret", "~root/x", "a\x00b"]
)
def test_escapes_are_refused(ws: Workspace, name: str) -> None:
    with pytest.raises(PathOutsideWorkspace):
        ws.resolve(name)


def test_symlink_out_of_workspace_is_refused(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s", encoding="utf-8")
    os.symlink(outside, ws.root / "link")
    with pytest.raises(PathOutsideWorkspace):
        ws.read_text("link/secret.txt")
    with pytest.raises(PathOutsideWorkspace):
        ws.write_text("link/new.txt", "x")
    assert not (outside / "new.txt").exists()


def test_symlink_inside_workspace_is_fine(ws: Workspace) -> None:
    ws.write_text("real.txt", "inside")
    os.symlink(ws.root / "real.txt", ws.root / "alias.txt")
    assert ws.read_text("alias.txt").text == "inside"


def test_absolute_path_inside_is_allowed(ws: Workspace) -> None:
    ws.write_text(str(ws.root / "abs.txt"), "ok")
    assert (ws.root / "abs.txt").read_text(encoding="utf-8") == "ok"


def test_unrestricted_workspace_allows_outside_paths(tmp_path: Path) -> None:
    w = Workspace(tmp_path / "ws", restrict=False)
    assert w.resolve("../x") == (tmp_path / "x").resolve()


def test_write_is_atomic_and_creates_parents(ws: Workspace) -> None:
    ws.write_text("deep/er/file.txt", "one")
    ws.write_text("deep/er/file.txt", "two")
    assert (ws.root / "deep/er/file.txt").read_text(encoding="utf-8") == "two"
    leftovers = [p for p in (ws.root / "deep/er").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_chinese_text_round_trips(ws: Workspace) -> None:
    text = "冰淇淋市场调查报告：夏季销量增长明显。\n"
    ws.write_text("报告.md", text)
    ws.write_text("报告.md", "追加。", append=True)
    assert ws.read_text("报告.md").text == text + "追加。"


def test_binary_file_is_described_not_dumped(ws: Workspace) -> None:
    (ws.root / "img.bin").write_bytes(b"\x89PNG\x00\x01\x02" * 100)
    part = ws.read_text("img.bin")
    assert part.binary and "binary file, 700 bytes" in part.text


def test_big_file_is_read_in_parts(ws: Workspace) -> None:
    (ws.root / "big.txt").write_text("x" * 1_000_000, encoding="utf-8")
    part = ws.read_text("big.txt", offset=10, limit=100)
    assert len(part.text) == 100 and part.offset == 10 and part.total_chars >= 1_000_000


def test_delete_refuses_directories_and_missing_files(ws: Workspace) -> None:
    (ws.root / "d").mkdir()
    with pytest.raises(CommandError, match="directory"):
        ws.delete("d")
    with pytest.raises(CommandError, match="does not exist"):
        ws.delete("nope.txt")


def _in_subprocess(code: str, workdir: str, timeout: float = 10) -> str:
    """Run ``code`` in a fresh interpreter; a hang becomes a test failure, not a stuck suite."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), workdir],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("operation", ["read", "append", "write"])
def test_fifo_is_refused_without_blocking(ws: Workspace, operation: str) -> None:
    os.mkfifo(ws.root / "pipe")
    out = _in_subprocess(
        f"""
        import sys
        from autogpt.errors import CommandError
        from autogpt.workspace import Workspace
        ws = Workspace(sys.argv[1])
        try:
            if {operation!r} == "read":
                ws.read_text("pipe")
            else:
                ws.write_text("pipe", "x", append={operation == "append"})
        except CommandError as exc:
            print("refused:", exc)
        """,
        str(ws.root),
    )
    assert out.startswith("refused:") and "not a regular file" in out
    assert stat.S_ISFIFO(os.lstat(ws.root / "pipe").st_mode)


BIG = 100 * 1024 * 1024
GROWTH_LIMIT_KB = 40 * 1024


@pytest.fixture
def big_file(ws: Workspace) -> Iterator[Path]:
    path = ws.root / "big.txt"
    line = b"0123456789abcdef" * 4 + b"\n"
    with open(path, "wb") as handle:
        block = line * (1024 * 1024 // len(line))
        for _ in range(BIG // len(block)):
            handle.write(block)
    yield path
    path.unlink(missing_ok=True)


def _rss_growth_kb(ws: Workspace, call: str) -> int:
    out = _in_subprocess(
        f"""
        import resource, sys
        from autogpt.workspace import Workspace
        ws = Workspace(sys.argv[1])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = {call}
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(after - before)
        """,
        str(ws.root),
        timeout=120,
    )
    return int(out.split()[-1])


def test_read_with_a_huge_offset_does_not_load_the_file(ws: Workspace, big_file: Path) -> None:
    assert (
        _rss_growth_kb(ws, "ws.read_text('big.txt', offset=90_000_000, limit=1000)")
        < GROWTH_LIMIT_KB
    )
    part = ws.read_text("big.txt", offset=90_000_000, limit=10)
    assert len(part.text) == 10 and part.total_chars >= BIG // 2


def test_append_does_not_read_the_file(ws: Workspace, big_file: Path) -> None:
    assert _rss_growth_kb(ws, "ws.write_text('big.txt', 'tail', append=True)") < GROWTH_LIMIT_KB
    with open(big_file, "rb") as handle:
        handle.seek(-5, os.SEEK_END)
        assert handle.read() == b"\ntail"
