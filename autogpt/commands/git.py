"""Cloning a repository: clone_repository.

The clone itself (guards, proxy, caps, credentials) is ``autogpt.git.clone``; here the model's
path goes through the workspace jail and the result is shaped: the top of the tree and the
README's first lines, inside the untrusted block (a README can say "now run ...", and file
names are the repository's words too). Links are never followed when reading the clone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.errors import CommandError
from autogpt.web.budget import cut_to_tokens
from autogpt.web.untrusted import for_terminal, mark_untrusted, quote, without_secrets

_SCP_STYLE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")
"""``git@github.com:owner/repo.git``: git's short form of an ssh:// URL."""
TREE_ENTRIES = 40
README_LINES = 20
README_CHARS = 3000


def git_installed(ctx: CommandContext) -> str | None:
    return None if shutil.which("git") else "git is not installed on this machine"


@command(available=git_installed)
def clone_repository(
    ctx: CommandContext,
    url: Annotated[str, Field(description="http(s) URL of the git repository")],
    clone_path: Annotated[str, Field(description="a new folder in the workspace for it")],
) -> str:
    """Clone a git repository into a folder of the workspace; lists its top files and README."""
    from autogpt.git.clone import check_clone_url, clone, plan_clone
    from autogpt.web.page import check_url

    if _SCP_STYLE.match(url.strip()):
        raise CommandError(
            "clone_repository: SSH addresses (user@host:path) are not allowed; "
            "give the https:// URL of the repository"
        )
    plan = plan_clone(ctx.settings, check_clone_url(check_url(url)))
    url = plan.url
    target = ctx.workspace.resolve(clone_path)
    if target == ctx.workspace.root:
        raise CommandError("clone_repository: give clone_path a new folder inside the workspace")
    shown = ctx.workspace.relative(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise CommandError(f"clone_repository: '{shown}' exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise CommandError(
            f"clone_repository: '{shown}' already exists and is not empty; choose a new clone_path"
        )
    ctx.notify(f"Cloning {for_terminal(without_secrets(url), 120)} into {shown}")
    done = clone(ctx.settings, plan, target)
    history = "latest commit only" if done.shallow else "whole history"
    head = (
        f"Cloned {quote(without_secrets(url), 300)} into {shown} "
        f"({history}, {done.size:,} bytes"
        + (", with the user's credentials" if done.authenticated else "")
        + ").\n"
        + "".join(f"Note: {n}\n" for n in done.notes)
    )
    ctx.notify(f"Cloned into {shown} ({done.size:,} bytes)")
    body = _tree(done.path) + _readme(done.path)
    frame = ctx.count_tokens(head + mark_untrusted(url, ""))
    room = max(ctx.result_budget_tokens - frame - 10, 50)
    return head + mark_untrusted(url, cut_to_tokens(body, room, ctx.count_tokens))


def _tree(root: Path) -> str:
    entries = sorted(
        (p for p in root.iterdir() if p.name != ".git"),
        key=lambda p: (not p.is_dir() or p.is_symlink(), p.name.lower()),
    )
    lines = [
        f"  {p.name}{'/' if p.is_dir() and not p.is_symlink() else ''}"
        + (" (link)" if p.is_symlink() else "")
        for p in entries[:TREE_ENTRIES]
    ]
    if len(entries) > TREE_ENTRIES:
        lines.append(f"  ... and {len(entries) - TREE_ENTRIES} more")
    return "Top of the tree:\n" + ("\n".join(lines) or "  (empty)") + "\n"


def _readme(root: Path) -> str:
    found = sorted(
        (p for p in root.iterdir() if p.name.lower().startswith("readme")),
        key=lambda p: (p.name.lower() != "readme.md", p.name.lower()),
    )
    if not found:
        return "\n(no README at the top of the tree)"
    readme = found[0]
    if readme.is_symlink() or not readme.is_file():
        return f"\n({readme.name} is a link or a folder; not read)"
    with readme.open("rb") as handle:
        data = handle.read(README_CHARS * 4)
    text = data.decode("utf-8", errors="replace")[:README_CHARS]
    lines = text.splitlines()
    more = len(lines) > README_LINES or len(data) >= README_CHARS * 4
    shown = "\n".join(lines[:README_LINES])
    return f"\n{readme.name} (first lines):\n{shown}" + ("\n[...]" if more else "")
