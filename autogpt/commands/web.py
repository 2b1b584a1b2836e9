"""Searching the web and downloading files: web_search, download_file.

Search backends and their fallback order live in ``autogpt.web.search``; downloads are offered to
the model only when the user allowed them (``--allow-downloads`` / ``ALLOW_DOWNLOADS=true``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.errors import CommandError
from autogpt.web.untrusted import for_terminal, mark_untrusted, quote

SNIPPET_CHARS = 300
MAX_RESULTS = 20


@command()
def web_search(
    ctx: CommandContext,
    query: Annotated[str, Field(description="what to search for, in any language")],
    num_results: int = 8,
) -> str:
    """Search the web; returns titles, URLs and snippets of the results."""
    from autogpt.web.search import search

    if not query.strip():
        raise CommandError("web_search: the query is empty")
    ctx.notify(f"Searching the web for {for_terminal(query, 100)}")
    outcome = search(ctx.settings, query.strip(), min(max(num_results, 1), MAX_RESULTS))
    tried = "".join(f"; {f}" for f in outcome.failures)
    if outcome.backend is None:
        return f"No results for {query!r} (tried {tried[2:]})."
    head = f"Search results for {query!r} (answered by {outcome.backend}{tried}):\n"
    entries = [
        f"{i}. {r.title or '(no title)'}\n   {r.url}\n   {_short(r.snippet)}".rstrip()
        for i, r in enumerate(outcome.results, 1)
    ]
    budget = ctx.result_budget_tokens - ctx.count_tokens(head) - 80
    kept: list[str] = []
    for entry in entries:
        if ctx.count_tokens("\n".join([*kept, entry])) > budget and kept:
            break
        kept.append(entry)
    body = "\n".join(kept)
    if len(kept) < len(entries):
        body += f"\n({len(entries) - len(kept)} more results left out to fit the result budget)"
    return head + mark_untrusted(f"web search ({outcome.backend})", body)


def _downloads_allowed(ctx: CommandContext) -> str | None:
    if ctx.settings.allow_downloads:
        return None
    return "downloads are off; the user can start with --allow-downloads (ALLOW_DOWNLOADS=true)"


@command(available=_downloads_allowed)
def download_file(
    ctx: CommandContext,
    url: Annotated[str, Field(description="http(s) URL of the file")],
    filename: Annotated[str, Field(description="where to save it in the workspace")],
) -> str:
    """Download a file from the web into the workspace."""
    from autogpt.web.deadline import Deadline
    from autogpt.web.fetch import Route, open_response, raise_for_status, read_capped
    from autogpt.web.page import check_url

    url = check_url(url)
    path = ctx.workspace.resolve(filename)
    if path.is_dir():
        raise CommandError(f"'{filename}' is a directory; give a file name")
    limit = ctx.settings.download_max_bytes
    route = Route.from_settings(ctx.settings)
    route.guard.check(url, via_proxy=route.proxy(url) is not None)  # before touching the disk
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    deadline = Deadline(ctx.settings.download_timeout, "DOWNLOAD_TIMEOUT")
    try:
        with os.fdopen(fd, "wb") as out, open_response(url, route, deadline=deadline) as response:
            raise_for_status(url, response, route)
            progress = _Progress(ctx, url)
            _, truncated = read_capped(
                response,
                limit,
                url=url,
                sink=out.write,
                progress=progress.update,
                deadline=deadline,
            )
            size = out.tell()
            kind = response.headers.get("content-type", "unknown")
        if truncated:
            raise CommandError(
                f"download of {for_terminal(url)} stopped: larger than DOWNLOAD_MAX_BYTES "
                f"({limit} bytes); nothing was saved"
            )
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    ctx.notify(f"Downloaded {size} bytes to {ctx.workspace.relative(path)}")
    where = ctx.workspace.relative(path)
    return f"Downloaded {quote(url, 300)} to {where} ({size} bytes).\n" + mark_untrusted(
        url, "", meta=[("Content-Type", kind)]
    )


class _Progress:
    """A progress line every 10 % (or every 5 MB when the size is unknown)."""

    def __init__(self, ctx: CommandContext, url: str) -> None:
        self.ctx = ctx
        self.url = for_terminal(url, 100)
        self.step = -1

    def update(self, done: int, total: int | None) -> None:
        step = done * 10 // total if total else done // 5_000_000
        if step > self.step:
            self.step = step
            shown = f"{done * 100 // total} % of {total} bytes" if total else f"{done} bytes"
            self.ctx.notify(f"Downloading {self.url}: {shown}")


def _short(snippet: str) -> str:
    return snippet if len(snippet) <= SNIPPET_CHARS else snippet[: SNIPPET_CHARS - 1] + "…"
