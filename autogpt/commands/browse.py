"""Reading web pages: browse_website, get_text_summary, get_hyperlinks.

Pages are read in the run's headless browser (scripts run), or over plain HTTP when no browser
can start; the question is answered from the page text by the fast model in a few bounded
requests. Everything a page says comes back marked as untrusted data. Heavy imports (selenium,
trafilatura) happen inside ``autogpt.web`` functions, so importing this module stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.web.budget import cut_to_tokens
from autogpt.web.extract import MAX_LINKS
from autogpt.web.untrusted import mark_untrusted, quote

if TYPE_CHECKING:
    from autogpt.web.page import Page

Url = Annotated[str, Field(description="http(s) URL of the page")]
Question = Annotated[str, Field(description="what you want to learn from the page")]


@command()
def browse_website(ctx: CommandContext, url: Url, question: Question) -> str:
    """Open a web page in a browser and answer a question from its text; also lists its links."""
    from autogpt.web.answer import answer_question
    from autogpt.web.page import read_page

    page = read_page(ctx, url)
    answer = answer_question(ctx, text=page.text, question=question, source=page.final_url)
    links = "\n".join(f"- {link}" for link in page.links[:MAX_LINKS]) or "(none)"
    label = "Answer gathered from website" if answer.requests else "Text of the website"
    return _result(ctx, page, f"{label}: {answer.text}", tail=f"\n\nLinks:\n{links}")


@command()
def get_text_summary(ctx: CommandContext, url: Url, question: Question) -> str:
    """Answer a question from the text of a web page (no links)."""
    from autogpt.web.answer import answer_question
    from autogpt.web.page import read_page

    page = read_page(ctx, url)
    answer = answer_question(ctx, text=page.text, question=question, source=page.final_url)
    return _result(ctx, page, f"Result: {answer.text}")


@command()
def get_hyperlinks(ctx: CommandContext, url: Url) -> str:
    """List the links on a web page as 'text (url)'."""
    from autogpt.web.page import read_page

    page = read_page(ctx, url, link_limit=None)
    lines = "\n".join(f"- {link}" for link in page.links) or "(the page has no links)"
    return _result(ctx, page, lines, what="characters of links")


def _result(
    ctx: CommandContext, page: Page, body: str, *, tail: str = "", what: str = "characters"
) -> str:
    """Our notes, then the page's words in the untrusted block (its title too), the body cut so
    that the whole fits the result budget and the block's end marker is always there."""
    head = f"Page: {quote(page.final_url, 300)}\n" + "".join(f"Note: {n}\n" for n in page.notes)
    meta = [("Title", page.title)]
    frame = ctx.count_tokens(head + mark_untrusted(page.final_url, tail, meta=meta))
    room = max(ctx.result_budget_tokens - frame - 10, 50)
    body = cut_to_tokens(body, room, ctx.count_tokens, what=what)
    return head + mark_untrusted(page.final_url, body + tail, meta=meta)
