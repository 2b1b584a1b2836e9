"""Web search through SearXNG, Google Custom Search or DuckDuckGo (the ``ddgs`` package).

``SEARCH_BACKEND=auto`` tries, in order: SearXNG when ``SEARXNG_URL`` is set, Google when
``GOOGLE_API_KEY`` and ``CUSTOM_SEARCH_ENGINE_ID`` are set, then DuckDuckGo; an error or an empty
answer moves on to the next, and the outcome says which one answered. A named backend is used
alone (a user who set SearXNG for privacy does not want a silent fallback). Every backend goes
through the proxy settings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autogpt.config.proxy import proxy_for, redact
from autogpt.errors import CommandError
from autogpt.web.fetch import Route, open_response, raise_for_status, read_capped
from autogpt.web.untrusted import clean_text, for_terminal, quote, without_secrets

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

GOOGLE_ENDPOINT = "https://www.googleapis.com/customsearch/v1"
DUCKDUCKGO_URL = "https://duckduckgo.com/"
MAX_ANSWER_BYTES = 2_000_000
SEARCH_TIMEOUT = 20.0
_CJK = re.compile(r"[\u3400-\u9fff]")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str


@dataclass(frozen=True)
class SearchOutcome:
    query: str
    backend: str | None
    """Which backend answered; None when none had results."""
    results: list[SearchResult]
    failures: list[str] = field(default_factory=list)
    """"searxng: answered HTTP 500", "google: no results", ... for the ones tried before."""


Backend = Callable[[str, int, "Settings", Route], list[SearchResult]]


def backend_order(settings: Settings) -> list[str]:
    if settings.search_backend != "auto":
        return [settings.search_backend]
    order = []
    if settings.searxng_url:
        order.append("searxng")
    if settings.google_api_key and settings.custom_search_engine_id:
        order.append("google")
    order.append("duckduckgo")
    return order


def search(settings: Settings, query: str, num_results: int) -> SearchOutcome:
    """Ask the backends in order until one has results; CommandError if every one failed."""
    route = Route.from_settings(settings, timeout=min(SEARCH_TIMEOUT, settings.browse_page_timeout))
    failures: list[str] = []
    errors = 0
    for name in backend_order(settings):
        try:
            results = BACKENDS[name](query, num_results, settings, route)
        except CommandError as exc:
            failures.append(f"{name}: {exc}")
            errors += 1
            continue
        results = _unique(results)[:num_results]
        if results:
            return SearchOutcome(query, name, results, failures)
        failures.append(f"{name}: no results")
    if errors == len(failures):
        raise CommandError("web search failed: " + "; ".join(failures))
    return SearchOutcome(query, None, [], failures)


def _searxng(query: str, num: int, settings: Settings, route: Route) -> list[SearchResult]:
    root = (settings.searxng_url or "").rstrip("/")
    if not root:
        raise CommandError("SEARXNG_URL is not set")
    url = root if root.endswith("/search") else f"{root}/search"
    params = {"q": query, "format": "json", "pageno": 1}
    with open_response(url, route, params=params, headers={"Accept": "application/json"}) as r:
        if r.status_code == 403:
            raise CommandError(
                f"SearXNG at {without_secrets(root)} refused format=json (HTTP 403); enable json "
                "under search.formats in its settings.yml"
            )
        raise_for_status(url, r, route)
        data = _json(read_capped(r, MAX_ANSWER_BYTES, url=url)[0], "SearXNG")
    return [
        SearchResult(
            _text(item.get("title")), str(item.get("url") or ""), _text(item.get("content"))
        )
        for item in data.get("results") or []
        if isinstance(item, dict) and item.get("url")
    ][:num]


def _google(query: str, num: int, settings: Settings, route: Route) -> list[SearchResult]:
    key = settings.google_api_key.get_secret_value() if settings.google_api_key else ""
    if not key or not settings.custom_search_engine_id:
        raise CommandError("GOOGLE_API_KEY and CUSTOM_SEARCH_ENGINE_ID must both be set")
    params = {"cx": settings.custom_search_engine_id, "q": query, "num": max(1, min(num, 10))}
    # The key goes in a header (Google's X-Goog-Api-Key system parameter), never in the URL:
    # URLs end up in error messages, logs and proxy logs.
    headers = {"X-Goog-Api-Key": key}
    with open_response(GOOGLE_ENDPOINT, route, params=params, headers=headers) as r:
        body = read_capped(r, MAX_ANSWER_BYTES, url=GOOGLE_ENDPOINT)[0]
        if r.status_code >= 400:
            try:
                reason = json.loads(body)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                reason = r.reason_phrase
            raise CommandError(f"Google answered HTTP {r.status_code}: {quote(str(reason))}")
    data = _json(body, "Google")
    return [
        SearchResult(
            _text(item.get("title")), str(item.get("link") or ""), _text(item.get("snippet"))
        )
        for item in data.get("items") or []
        if isinstance(item, dict) and item.get("link")
    ][:num]


def _duckduckgo(query: str, num: int, settings: Settings, route: Route) -> list[SearchResult]:
    from ddgs import DDGS
    from ddgs.exceptions import DDGSException

    proxy = proxy_for(DUCKDUCKGO_URL, settings)
    region = "cn-zh" if _CJK.search(query) else "us-en"
    try:
        found = DDGS(proxy=proxy, timeout=max(1, round(route.timeout))).text(
            query, region=region, max_results=num
        )
    except DDGSException as exc:
        text = str(exc)
        if "No results" in text:
            return []
        log.info("DuckDuckGo search failed: %s", text)
        raise CommandError(f"DuckDuckGo search failed: {ddgs_reason(text, proxy)}") from None
    return [
        SearchResult(_text(item.get("title")), str(item.get("href") or ""), _text(item.get("body")))
        for item in found or []
        if item.get("href")
    ]


BACKENDS: dict[str, Backend] = {
    "searxng": _searxng,
    "google": _google,
    "duckduckgo": _duckduckgo,
}


_NO_NAMES = ("error resolving dns", "dns error", "name or service not known", "nodename nor")
_HINT = "set HTTPS_PROXY to a proxy that can reach them, or SEARXNG_URL to a SearXNG of your own"


def ddgs_reason(text: str, proxy: str | None) -> str:
    """ddgs' error (a chain of its HTTP client's messages, about whichever of the search sites
    it tried last) said in one line that tells the user and the model what to do."""
    lowered = text.lower()
    shown = redact(proxy) if proxy else ""
    if proxy and "proxy connect failed" in lowered:
        status = re.search(r"HTTP/\d(?:\.\d)? (\d{3})", text)
        answer = f" (HTTP {status.group(1)})" if status else ""
        return f"the proxy {shown} could not reach the search sites{answer}"
    if any(marker in lowered for marker in _NO_NAMES):
        where = f" behind the proxy {shown}" if proxy else ""
        return (
            f"the search sites' names did not resolve{where}: no internet here, or they "
            f"are blocked; {_HINT}"
        )
    if "connection refused" in lowered or "os error 111" in lowered:
        if proxy:
            return f"the proxy {shown} refused the connection; check the proxy setting"
        return f"the search sites refused the connection; {_HINT}"
    if "timed out" in lowered or "timeout" in lowered:
        via = f" through the proxy {shown}" if proxy else ""
        return f"the search sites did not answer in time{via}"
    via = f" (through proxy {shown})" if proxy else ""
    return f"{for_terminal(text, 200)}{via}"


def _json(body: bytes, who: str) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        raise CommandError(f"{who} did not answer with JSON") from None
    if not isinstance(data, dict):
        raise CommandError(f"{who} answered with unexpected JSON")
    return data


def _text(value: Any) -> str:
    return " ".join(clean_text(str(value or "")).split())


def _unique(results: list[SearchResult]) -> list[SearchResult]:
    seen: dict[str, SearchResult] = {}
    for result in results:
        if result.url.startswith(("http://", "https://")):
            seen.setdefault(result.url, result)
    return list(seen.values())
