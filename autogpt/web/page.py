"""Read one page for a command: in the run's browser when one starts, else over plain HTTP.

Every URL passes the guard before anything is sent; the page's final URL (after redirects inside
the browser) passes it again before its text is used. If no browser can start, the reason is
told to the user once and every page is then read over HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from autogpt.errors import CommandError
from autogpt.web.extract import MAX_LINKS, Link, decode_html, extract
from autogpt.web.fetch import Route, fetch
from autogpt.web.untrusted import clean_text, for_terminal, quote

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.resources import RunResources
    from autogpt.web.browser import Browser

BROWSER_KEY = "web.browser"
MAX_PAGE_BYTES = 5_000_000
_TEXT_TYPES = ("text/plain", "application/json", "text/markdown", "text/csv")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")


class PageContext(Protocol):
    """What reading a page needs of the run (a command's context has it): the settings, the
    run's resources (the browser lives there) and a progress line for the user."""

    @property
    def settings(self) -> Settings: ...

    @property
    def resources(self) -> RunResources: ...

    @property
    def notify(self) -> Callable[[str], None]: ...


@dataclass(frozen=True)
class Page:
    url: str
    final_url: str
    title: str
    text: str
    links: list[Link]
    via: str
    """"browser" or "http"."""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def check_url(url: str) -> str:
    """A model-given URL, stripped; a bare host name gets a hint rather than a guess."""
    url = clean_text(url).strip().strip("<>\"'")  # no escape sequences reach a log or a page
    if "://" not in url and not url.lower().startswith(("javascript:", "data:", "file:")):
        if "." in url.split("/", 1)[0] and " " not in url:
            raise CommandError(f"'{for_terminal(url)}' has no scheme; use https://{url}")
    return url


def read_page(
    ctx: PageContext, url: str, *, use_browser: bool = True, link_limit: int | None = MAX_LINKS
) -> Page:
    """The page at ``url`` as title, main text and links (at most ``link_limit``)."""
    settings = ctx.settings
    route = Route.from_settings(settings)
    url = check_url(url)
    url = route.guard.check(url, via_proxy=route.proxy(url) is not None)
    browser = browser_for(ctx) if use_browser else None
    began = time.monotonic()
    if browser is None:
        ctx.notify(f"Reading {for_terminal(url)} (plain HTTP)")
        page = _read_http(url, route, began)
    else:
        page = _read_browser(ctx, browser, url, route, began)
    links = page.links if link_limit is None else page.links[:link_limit]
    return replace(page, links=links)


def _read_browser(ctx: PageContext, browser: Browser, url: str, route: Route, began: float) -> Page:
    settings = ctx.settings
    ctx.notify(f"Browsing {for_terminal(url)}")
    rendered = browser.load(url, timeout=settings.browse_page_timeout)
    final = rendered.final_url
    if final.startswith("chrome-error:"):
        raise rendered.problem or CommandError(f"could not load {for_terminal(url)}")
    if final != url:
        route.guard.check(final, via_proxy=route.proxy(final) is not None, redirected_from=url)
    if rendered.problem:
        raise rendered.problem
    if rendered.status >= 400:
        raise CommandError(f"{for_terminal(final)} answered HTTP {rendered.status}")
    extracted = extract(rendered.html, final, rendered_text=rendered.text)
    notes = (
        []
        if rendered.complete
        else [
            f"the page did not finish loading in {settings.browse_page_timeout:g} s; "
            "this is what had loaded"
        ]
    )
    return Page(
        url=url,
        final_url=final,
        title=extracted.title,
        text=extracted.text,
        links=extracted.links,
        via="browser",
        seconds=time.monotonic() - began,
        notes=notes,
    )


def _read_http(url: str, route: Route, began: float) -> Page:
    fetched = fetch(url, route, max_bytes=MAX_PAGE_BYTES)
    kind = fetched.content_type.split(";", 1)[0].strip().lower()
    notes = [f"only the first {MAX_PAGE_BYTES} bytes were read"] if fetched.truncated else []
    if kind and not kind.startswith(_HTML_TYPES + _TEXT_TYPES) and not kind.endswith("+xml"):
        raise CommandError(
            f"{for_terminal(url)} is {quote(kind, 100)} ({len(fetched.body)} bytes), not a web "
            "page; download_file can save it when downloads are allowed"
        )
    html = decode_html(fetched.body, fetched.content_type)
    if kind.startswith(_TEXT_TYPES):
        text, title, links = clean_text(html).strip(), "", []
    else:
        extracted = extract(html, fetched.final_url)
        text, title, links = extracted.text, extracted.title, extracted.links
    return Page(
        url=url,
        final_url=fetched.final_url,
        title=title,
        text=text,
        links=links,
        via="http",
        seconds=time.monotonic() - began,
        notes=notes,
    )


def browser_for(ctx: PageContext) -> Browser | None:
    """The run's browser, started on first use; None (reason told once) if none can start."""
    if getattr(ctx.settings, "use_web_browser", "chrome") in ("none", "off", "http"):
        return None
    state = ctx.resources.get_or_create(BROWSER_KEY, lambda: _start(ctx), close=_close)
    if isinstance(state, str):
        return None
    if not state.alive:  # crashed or killed: start a new one, once
        ctx.resources.discard(BROWSER_KEY)
        state = ctx.resources.get_or_create(BROWSER_KEY, lambda: _start(ctx), close=_close)
    return None if isinstance(state, str) else state


def _start(ctx: PageContext) -> Browser | str:
    from autogpt.web.browser import Browser
    from autogpt.web.drivers import BrowserUnavailable, proxy_plan
    from autogpt.web.guard_proxy import uses_guard_proxy

    if proxy_plan(ctx.settings).dropped_credentials and not uses_guard_proxy(ctx.settings):
        reason = "the proxy needs a user name and password, which Chromium cannot take"
    else:
        try:
            return Browser.start(ctx.settings)
        except BrowserUnavailable as exc:
            reason = str(exc)
    ctx.notify(for_terminal(f"No browser: {reason}. Reading pages over plain HTTP instead.", 400))
    return reason


def _close(state: Browser | str) -> None:
    if not isinstance(state, str):
        state.close()
