"""One reading of NO_PROXY for every client: the model client, page reads, search and the
browser's guard proxy. ``NO_PROXY=localhost,127.0.0.0/8,::1`` must send all of them direct."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.types import ChatRequest
from autogpt.web.fetch import Route, fetch
from autogpt.web.guard_proxy import GuardProxy
from autogpt.web.search import search
from tests.support.model_server import ModelServer, reply
from tests.support.proxy_server import RecordingProxy
from tests.web.site import Site

NO_PROXY = "localhost,127.0.0.0/8,::1"


def _settings(proxy: RecordingProxy, **values: Any) -> Settings:
    return Settings(
        _env_file=None,
        http_proxy=proxy.url,
        https_proxy=proxy.url,
        no_proxy=NO_PROXY,
        allow_private_urls=True,
        browse_page_timeout=10,
        **values,
    )


def _through_guard(guard: GuardProxy, url: str) -> bytes:
    port = int(guard.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_cidr_no_proxy_sends_model_page_search_and_browser_traffic_direct(
    env: pytest.MonkeyPatch,
) -> None:
    """The public search service is mocked by the local site's SearXNG-style endpoint."""
    env.setenv("NO_PROXY", NO_PROXY)
    env.setenv("no_proxy", NO_PROXY)
    with RecordingProxy() as proxy, Site() as site, ModelServer([reply("direct")]) as model:
        site.add(
            "/search",
            lambda r: r.json(
                {
                    "results": [
                        {"url": "https://result.example/", "title": "A result", "content": "text"}
                    ]
                }
            ),
        )
        settings = _settings(
            proxy,
            searxng_url=site.url("/"),
            openai_api_base=model.base_url,
            openai_api_key="sk-test",
            openai_max_retries=0,
        )

        answer = OpenAIModelClient(settings).complete(
            ChatRequest(
                model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=5
            )
        )
        page = fetch(site.url("/hello"), Route.from_settings(settings), max_bytes=100_000)
        found = search(settings, "ice cream", 3)
        guard = GuardProxy(Route.from_settings(settings))
        guard.serve_only(os.getpid())  # the test's own socket stands in for the browser
        try:
            browsed = _through_guard(guard, site.url("/secret"))
        finally:
            guard.close()
        model.assert_complete()

    assert answer.text == "direct"
    assert b"Hello from the site" in page.body
    assert [r.url for r in found.results] == ["https://result.example/"]
    assert browsed.startswith(b"HTTP/1.1 200 ") and b"The local secret" in browsed
    assert proxy.seen == []
