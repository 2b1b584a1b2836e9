"""File commands: every path goes through the workspace jail."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command

FileName = Annotated[str, Field(description="path relative to the workspace")]


@command()
def read_file(
    ctx: CommandContext,
    filename: FileName,
    offset: Annotated[int, Field(ge=0, description="first character to read")] = 0,
    limit: Annotated[int, Field(ge=0, description="how many characters; 0: all that fit")] = 0,
) -> str:
    """Read a text file from the workspace; long files are read in parts with offset and limit."""
    cap = ctx.settings.read_file_max_chars
    # A result may take at most its share of the prompt: about 3 characters per token.
    cap = min(cap, max(200, ctx.result_budget_tokens * 3))
    want = min(limit or cap, cap)
    part = ctx.workspace.read_text(filename, offset=offset, limit=want)
    if part.binary:
        return part.text
    if part.end < part.total_chars:
        return (
            f"{part.text}\n\n[Showing characters {part.offset}-{part.end} of about "
            f"{part.total_chars}. To read more, call read_file with offset={part.end}.]"
        )
    if part.offset and not part.text:
        return f"[Nothing left: the file has {part.total_chars} characters.]"
    return part.text


@command()
def write_to_file(ctx: CommandContext, filename: FileName, text: str) -> str:
    """Write text to a file in the workspace, replacing what was there."""
    ctx.workspace.write_text(filename, text)
    return f"File {filename} written ({len(text)} characters)."


@command()
def append_to_file(ctx: CommandContext, filename: FileName, text: str) -> str:
    """Append text to a file in the workspace (created if missing)."""
    ctx.workspace.write_text(filename, text, append=True)
    return f"Text appended to {filename} ({len(text)} characters)."


@command()
def delete_file(ctx: CommandContext, filename: FileName) -> str:
    """Delete a file from the workspace."""
    ctx.workspace.delete(filename)
    return f"File {filename} deleted."


@command()
def list_files(
    ctx: CommandContext,
    directory: Annotated[str, Field(description="folder relative to the workspace")] = ".",
) -> str:
    """List the files in a workspace folder and its subfolders."""
    files = ctx.workspace.list_files(directory, limit=500)
    if not files:
        return f"No files in '{directory}'."
    shown = "\n".join(files)
    if len(files) >= 500:
        shown += "\n[Only the first 500 files are listed.]"
    return shown
