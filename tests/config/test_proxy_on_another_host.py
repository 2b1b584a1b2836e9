"""A proxy on another host: tinyproxy in a network namespace of the test's own, reached over a
veth pair on 10.200.x.y/30. Its own log shows what went through it.

The model server and the page server listen on this side's end of the veth pair (the proxy in
the namespace cannot reach this side's 127.0.0.1); they stand in for the public internet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.config.settings import load_settings
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.types import ChatRequest
from autogpt.web.fetch import Route, fetch
from tests.support.local_http import LocalHandler, LocalServer
from tests.support.model_server import ModelServer, reply
from tests.support.netns import OtherHost
from tests.support.real_proxies import Tinyproxy
from tests.web.site import Site

HELLO = ChatRequest(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=20
)


class _Pages(LocalHandler):
    def do_GET(self) -> None:
        self.send_body(200, f"A page on the other side, at {self.path}.")


def test_model_and_page_traffic_goes_through_a_proxy_on_another_host(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As users set it: HTTP_PROXY to the other host, NO_PROXY keeping loopback direct (a
    loopback URL sent to that proxy would reach the other host's loopback, not this one's)."""
    with OtherHost() as other, Site() as local_site:
        env.setenv("HTTP_PROXY", f"http://{other.address}:3128")
        env.setenv("NO_PROXY", "localhost,127.0.0.0/8,::1")
        env.setenv("no_proxy", "localhost,127.0.0.0/8,::1")
        env.setenv("ALLOW_PRIVATE_URLS", "true")
        with (
            ModelServer([reply("via the other host")], host=other.host_address) as model,
            _page_server(other.host_address) as pages,
            Tinyproxy(tmp_path / "proxy", host=other.address, prefix=other.prefix) as proxy,
        ):
            env.setenv("OPENAI_API_BASE", model.base_url)
            env.setenv("OPENAI_API_KEY", "sk-test")
            settings = load_settings(openai_max_retries=0)
            answer = OpenAIModelClient(settings).complete(HELLO)
            route = Route.from_settings(settings)
            page_url = f"http://{other.host_address}:{pages.port}/report"
            far = fetch(page_url, route, max_bytes=10_000)
            near = fetch(local_site.url("/hello"), route, max_bytes=100_000)
            logged = proxy.requests()
            model.assert_complete()

    assert answer.text == "via the other host"
    assert b"A page on the other side, at /report." in far.body
    assert b"Hello from the site" in near.body
    assert logged == [f"POST {model.base_url}/chat/completions", f"GET {page_url}"]
    assert [r.client_address for r in model.requests] == [other.address]


@contextlib.contextmanager
def _page_server(host: str) -> Iterator[LocalServer]:
    server = LocalServer(_Pages, owner=None, host=host)
    try:
        yield server
    finally:
        server.close()
