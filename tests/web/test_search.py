"""Search backends and their fallback, against local stand-ins for the search services.

The public search services are mocked by the local site: a SearXNG-style ``/search`` JSON
endpoint and a Google-Custom-Search-style ``/customsearch/v1`` endpoint.
"""

from __future__ import annotations

import pytest

from autogpt.errors import CommandError
from autogpt.web import search as search_module
from autogpt.web.search import backend_order, ddgs_reason, search
from tests.support.proxy_server import RecordingProxy
from tests.web.conftest import make_settings
from tests.web.site import Site, _Request

QUERY = "冰淇淋 市场 2023"


def _searxng(request: _Request) -> None:
    query = request.query["q"][0]
    assert request.query["format"] == ["json"]
    request.json(
        {
            "query": query,
            "results": [
                {
                    "url": "https://icecream.example/report",
                    "title": f"Report on {query}",
                    "content": "Ice cream market \x1b[31msize\x1b[0m in 2023.",
                },
                {"url": "https://icecream.example/report", "title": "duplicate", "content": ""},
                {"url": "https://other.example/", "title": "Other", "content": "More."},
            ],
        }
    )


def _google(request: _Request) -> None:
    assert request.headers["X-Goog-Api-Key"] == "g-key" and request.query["cx"] == ["cse-id"]
    request.json(
        {
            "items": [
                {"link": "https://g.example/1", "title": "Google one", "snippet": "first"},
                {"link": "https://g.example/2", "title": "Google two", "snippet": "second"},
            ]
        }
    )


def test_searxng_answers_a_chinese_query(site: Site) -> None:
    site.add("/search", _searxng)
    outcome = search(make_settings(searxng_url=site.url("/")), QUERY, 8)
    assert outcome.backend == "searxng"
    assert [r.url for r in outcome.results] == [
        "https://icecream.example/report",
        "https://other.example/",
    ]
    assert outcome.results[0].title == f"Report on {QUERY}"
    assert outcome.results[0].snippet == "Ice cream market size in 2023."


def test_a_failing_backend_falls_back_and_the_outcome_says_who_answered(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add("/search", lambda r: r.reply(500, b"boom", "text/plain"))
    site.add("/customsearch/v1", _google)
    monkeypatch.setattr(search_module, "GOOGLE_ENDPOINT", site.url("/customsearch/v1"))
    settings = make_settings(
        searxng_url=site.url(),
        google_api_key="g-key",
        custom_search_engine_id="cse-id",
        allow_private_urls=True,
    )
    outcome = search(settings, QUERY, 1)
    assert outcome.backend == "google"
    assert [r.title for r in outcome.results] == ["Google one"]
    assert len(outcome.failures) == 1
    assert outcome.failures[0].startswith("searxng: ") and "HTTP 500" in outcome.failures[0]


def test_an_empty_answer_also_moves_on(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.add("/search", lambda r: r.json({"results": []}))
    site.add("/customsearch/v1", _google)
    monkeypatch.setattr(search_module, "GOOGLE_ENDPOINT", site.url("/customsearch/v1"))
    settings = make_settings(
        searxng_url=site.url(),
        google_api_key="g-key",
        custom_search_engine_id="cse-id",
        allow_private_urls=True,
    )
    outcome = search(settings, "ice cream", 5)
    assert outcome.backend == "google" and outcome.failures == ["searxng: no results"]


def test_searxng_without_json_output_gets_a_hint(site: Site) -> None:
    site.add("/search", lambda r: r.reply(403, b"Forbidden", "text/plain"))
    with pytest.raises(CommandError, match="enable json under search.formats"):
        search(make_settings(searxng_url=site.url(), search_backend="searxng"), "x", 3)


def test_a_named_backend_is_used_alone() -> None:
    settings = make_settings(
        searxng_url="http://127.0.0.1:1",
        search_backend="searxng",
        google_api_key="k",
        custom_search_engine_id="c",
    )
    assert backend_order(settings) == ["searxng"]
    assert backend_order(settings.model_copy(update={"search_backend": "auto"})) == [
        "searxng",
        "google",
        "duckduckgo",
    ]
    assert backend_order(make_settings()) == ["duckduckgo"]


def test_google_errors_carry_googles_message(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.add(
        "/customsearch/v1",
        lambda r: r.json({"error": {"code": 403, "message": "API key not valid."}}, status=403),
    )
    monkeypatch.setattr(search_module, "GOOGLE_ENDPOINT", site.url("/customsearch/v1"))
    settings = make_settings(
        search_backend="google",
        google_api_key="bad",
        custom_search_engine_id="c",
        allow_private_urls=True,
    )
    with pytest.raises(CommandError, match="google: Google answered HTTP 403: API key not valid"):
        search(settings, "x", 3)


def test_duckduckgo_goes_through_the_proxy() -> None:
    """The proxy cannot reach the internet (nothing here can), so the search fails — but the
    attempt must have gone through the proxy, and the failure must name it."""
    with RecordingProxy() as proxy:
        settings = make_settings(
            search_backend="duckduckgo", https_proxy=proxy.url, browse_page_timeout=5
        )
        with pytest.raises(CommandError) as failed:
            search(settings, "ice cream", 3)
    assert proxy.seen and all(method == "CONNECT" for method, _ in proxy.seen)
    assert f"the proxy {proxy.url} could not reach the search sites (HTTP 502)" in str(failed.value)


def test_a_refusing_proxy_for_duckduckgo_is_named_in_one_line() -> None:
    settings = make_settings(
        search_backend="duckduckgo", https_proxy="http://127.0.0.1:1", browse_page_timeout=5
    )
    with pytest.raises(CommandError) as failed:
        search(settings, "冰淇淋", 3)
    message = str(failed.value)
    assert message == (
        "web search failed: duckduckgo: DuckDuckGo search failed: the proxy "
        "http://127.0.0.1:1 refused the connection; check the proxy setting"
    )


def test_search_sites_that_do_not_resolve_get_the_proxy_and_searxng_hint() -> None:
    """ddgs' own text when the machine has no name service for the public search sites (as
    seen on this machine); a pure function, so no public address is asked here."""
    text = (
        "DNSError('error sending request for url (https://search.brave.com/search?q=x) > error "
        'resolving DNS > DNS error: no records found for Query { name: Name("search.brave.com.")'
    )
    reason = ddgs_reason(text, None)
    assert reason.startswith("the search sites' names did not resolve: no internet here")
    assert "HTTPS_PROXY" in reason and "SEARXNG_URL" in reason
    assert "brave" not in reason
