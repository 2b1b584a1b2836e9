"""Reading web pages: browse_website, get_text_summary, get_hyperlinks.

Pages are read in the run's headless browser (scripts run), or over plain HTTP when no browser
can start; the question is answered from the page text by the fast model in a few bounded
requests. Everything a page says comes back marked as untrusted data. Heavy imports (selenium,
trafilatura) happen inside ``autogpt.web`` functions, so importing this module stays light.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.web.budget import cut_to_tokens
from autogpt.web.extract import MAX_LINKS
from autogpt.web.untrusted import mark_untrusted

Url = Annotated[str, Field(description="http(s) URL of the page")]
Question = Annotated[str, Field(description="what you want to learn from the page")]


@command(risk="network")
def browse_website(ctx: CommandContext, url: Url, question: Question) -> str:
    """Open a web page in a browser and answer a question from its text; also lists its links."""
    from autogpt.web.answer import answer_question
    from autogpt.web.page import read_page

    page = read_page(ctx, url)
    answer = answer_question(ctx, text=page.text, question=question, source=page.final_url)
    links = "\n".join(f"- {link}" for link in page.links[:MAX_LINKS]) or "(none)"
    label = "Answer gathered from website" if answer.requests else "Text of the website"
    tail = f"\n\nLinks:\n{links}"
    head = _header(page.final_url, page.title, page.notes)
    room = ctx.result_budget_tokens - ctx.count_tokens(head + tail) - 60
    body = cut_to_tokens(f"{label}: {answer.text}", max(room, 50), ctx.count_tokens)
    return _fit(ctx, head + mark_untrusted(page.final_url, body + tail))


@command(risk="network")
def get_text_summary(ctx: CommandContext, url: Url, question: Question) -> str:
    """Answer a question from the text of a web page (no links)."""
    from autogpt.web.answer import answer_question
    from autogpt.web.page import read_page

    page = read_page(ctx, url)
    answer = answer_question(ctx, text=page.text, question=question, source=page.final_url)
    head = _header(page.final_url, page.title, page.notes)
    room = ctx.result_budget_tokens - ctx.count_tokens(head) - 60
    body = cut_to_tokens(f"Result: {answer.text}", max(room, 50), ctx.count_tokens)
    return _fit(ctx, head + mark_untrusted(page.final_url, body))


@command(risk="network")
def get_hyperlinks(ctx: CommandContext, url: Url) -> str:
    """List the links on a web page as 'text (url)'."""
    from autogpt.web.page import read_page

    page = read_page(ctx, url, link_limit=None)
    lines = "\n".join(f"- {link}" for link in page.links) or "(the page has no links)"
    head = _header(page.final_url, page.title, page.notes)
    room = ctx.result_budget_tokens - ctx.count_tokens(head) - 60
    body = cut_to_tokens(lines, max(room, 50), ctx.count_tokens, what="characters of links")
    return _fit(ctx, head + mark_untrusted(page.final_url, body))


def _header(url: str, title: str, notes: list[str]) -> str:
    head = f"Page: {url}" + (f" — {title}" if title else "") + "\n"
    return head + "".join(f"Note: {note}\n" for note in notes)


def _fit(ctx: CommandContext, text: str) -> str:
    return cut_to_tokens(text, ctx.result_budget_tokens, ctx.count_tokens)
