from pathlib import Path

import pytest

from autogpt.commands import files
from autogpt.commands.context import CommandContext
from autogpt.config.settings import Settings
from autogpt.workspace import Workspace


@pytest.fixture
def ctx(tmp_path: Path) -> CommandContext:
    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    return CommandContext(workspace=ws, settings=Settings(), result_budget_tokens=1000)


def test_long_file_is_read_in_parts_with_a_note_naming_the_next_offset(ctx: CommandContext) -> None:
    ctx.workspace.write_text("long.txt", "".join(f"line {i}\n" for i in range(2000)))
    first = files.read_file(ctx, "long.txt")
    assert "call read_file with offset=3000" in first
    second = files.read_file(ctx, "long.txt", offset=3000, limit=10)
    assert second.startswith(ctx.workspace.read_text("long.txt", offset=3000, limit=10).text)


def test_append_creates_then_extends(ctx: CommandContext) -> None:
    files.append_to_file(ctx, "log.txt", "a")
    files.append_to_file(ctx, "log.txt", "b")
    assert (ctx.workspace.root / "log.txt").read_text(encoding="utf-8") == "ab"


def test_list_files_walks_subfolders_and_hides_dotfiles(ctx: CommandContext) -> None:
    ctx.workspace.write_text("a.txt", "")
    ctx.workspace.write_text("sub/b.txt", "")
    ctx.workspace.write_text(".hidden", "")
    assert files.list_files(ctx, ".").splitlines() == ["a.txt", "sub/b.txt"]


def test_delete_file_removes_it(ctx: CommandContext) -> None:
    ctx.workspace.write_text("gone.txt", "x")
    files.delete_file(ctx, "gone.txt")
    assert not (ctx.workspace.root / "gone.txt").exists()
