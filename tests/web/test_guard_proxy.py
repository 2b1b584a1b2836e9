"""The browser's guard proxy on its own, over raw sockets: refusals, the direct path to the
checked address, the user's proxy with its credentials."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from autogpt.web.fetch import Route
from autogpt.web.guard_proxy import GuardProxy, uses_guard_proxy
from autogpt.web.urlguard import UrlRefused
from tests.support.proxy_server import RecordingProxy
from tests.support.socks_server import RecordingSocksProxy
from tests.web.conftest import make_settings
from tests.web.site import Site


@contextmanager
def guard_proxy(**settings: object) -> Iterator[GuardProxy]:
    proxy = GuardProxy(Route.from_settings(make_settings(**settings)))
    proxy.serve_only(os.getpid())  # the test's own sockets stand in for the browser
    try:
        yield proxy
    finally:
        proxy.close()


def send(proxy: GuardProxy, request: str) -> bytes:
    """One request to the proxy; everything it answers until it closes."""
    port = int(proxy.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_tunnel_to_a_loopback_address_is_refused_and_noted(site: Site) -> None:
    with guard_proxy() as proxy:
        answer = send(
            proxy, f"CONNECT 127.0.0.1:{site.port} HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\n\r\n"
        )
        problems = proxy.take_problems()
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b"127.0.0.1 is a loopback address" in answer
    assert len(problems) == 1 and isinstance(problems[0].error, UrlRefused)
    assert proxy.take_problems() == []


def test_plain_http_to_an_allowed_origin_is_sent_to_the_site_in_origin_form(site: Site) -> None:
    """The user's SearXNG origin is allowed whatever it resolves to; the request reaches the
    site directly, without its proxy headers, and only this one request is sent."""
    with guard_proxy(searxng_url=site.url("/")) as proxy:
        answer = send(
            proxy,
            f"GET {site.url('/hello')} HTTP/1.1\r\nHost: 127.0.0.1:"
            f"{site.port}\r\nProxy-Connection: keep-alive\r\n\r\n"
            f"GET {site.url('/secret')} HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        other = send(proxy, f"GET http://127.0.0.1:{site.port + 1}/ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ") and b"Hello from the site" in answer
    assert site.hits == ["/hello"]  # the second, pipelined request was never forwarded
    assert other.startswith(b"HTTP/1.1 403 ")


def test_the_users_proxy_gets_its_credentials_and_names_stay_for_it_to_resolve(site: Site) -> None:
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as upstream:
        with_password = upstream.url.replace("http://", "http://agent:p%40ss@")
        with guard_proxy(http_proxy=with_password) as proxy:
            answer = send(
                proxy,
                f"GET {site.proxied_url('/hello')} HTTP/1.1\r\nHost: site.test:{site.port}\r\n\r\n",
            )
            refused = send(proxy, f"GET {site.url('/secret')} HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"Hello from the site" in answer
    assert upstream.seen == [("GET", site.proxied_url("/hello"))]
    assert upstream.auth == ["Basic " + base64.b64encode(b"agent:p@ss").decode()]
    assert refused.startswith(b"HTTP/1.1 403 ") and "/secret" not in site.hits


def test_a_dead_upstream_proxy_is_named_without_its_password(site: Site) -> None:
    with guard_proxy(https_proxy="http://agent:secret@127.0.0.1:9") as proxy:
        answer = send(proxy, "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n")
        (problem,) = proxy.take_problems()
    assert answer.startswith(b"HTTP/1.1 502 ")
    assert "could not connect through proxy http://agent:***@127.0.0.1:9" in str(problem.error)
    assert b"secret" not in answer


def test_only_socks4_proxies_are_left_to_the_browser() -> None:
    assert uses_guard_proxy(make_settings(http_proxy="http://proxy.corp:3128"))
    assert uses_guard_proxy(make_settings(all_proxy="socks5h://127.0.0.1:1080"))
    assert uses_guard_proxy(make_settings())
    assert not uses_guard_proxy(make_settings(all_proxy="socks4://127.0.0.1:1080"))


def test_a_socks5_proxy_with_a_password_carries_tunnels_and_plain_requests(site: Site) -> None:
    with RecordingSocksProxy(
        resolve={"site.test": "127.0.0.1"}, credentials=("agent", "p@ss")
    ) as socks:
        upstream = socks.url.replace("socks5://", "socks5h://agent:p%40ss@")
        with guard_proxy(all_proxy=upstream) as proxy:
            answer = send(
                proxy,
                f"GET {site.proxied_url('/hello')} HTTP/1.1\r\nHost: site.test:{site.port}\r\n\r\n",
            )
            tunnel = send(
                proxy,
                f"CONNECT site.test:{site.port} HTTP/1.1\r\n\r\n"
                f"GET /js HTTP/1.1\r\nHost: site.test\r\n"
                f"Connection: close\r\n\r\n",
            )
            refused = send(proxy, f"CONNECT 127.0.0.1:{site.port} HTTP/1.1\r\n\r\n")
    assert b"Hello from the site" in answer
    assert (
        tunnel.startswith(b"HTTP/1.1 200 Connection established")
        and b"HTTP/1.1 200" in (tunnel.split(b"\r\n\r\n", 1)[1])
    )
    assert refused.startswith(b"HTTP/1.1 403 ")
    assert socks.seen == [f"site.test:{site.port}"] * 2 and socks.users == ["agent"] * 2


def test_a_socks5_proxy_that_refuses_the_password_is_named(site: Site) -> None:
    with RecordingSocksProxy(credentials=("agent", "right")) as socks:
        upstream = socks.url.replace("socks5://", "socks5://agent:wrong@")
        with guard_proxy(all_proxy=upstream) as proxy:
            answer = send(proxy, "CONNECT example.org:443 HTTP/1.1\r\n\r\n")
            (problem,) = proxy.take_problems()
    assert answer.startswith(b"HTTP/1.1 502 ")
    assert "refused the user name and password" in str(problem.error)
    assert "wrong" not in str(problem.error)


def test_a_client_outside_the_browsers_process_tree_is_refused_and_gets_no_password(
    site: Site,
) -> None:
    """Bound to another process (a stand-in browser), the proxy refuses the test's socket before
    anything reaches the user's proxy: no request, no Proxy-Authorization for it."""
    with (
        RecordingProxy(resolve={"site.test": "127.0.0.1"}) as upstream,
        subprocess.Popen(["sleep", "30"]) as browser,
    ):
        try:
            with guard_proxy(http_proxy=upstream.url.replace("://", "://agent:pw@")) as proxy:
                proxy.serve_only(browser.pid)
                answer = send(
                    proxy,
                    f"GET {site.proxied_url('/hello')} HTTP/1.1\r\n"
                    f"Host: site.test:{site.port}\r\n\r\n",
                )
                tunnel = send(proxy, f"CONNECT site.test:{site.port} HTTP/1.1\r\n\r\n")
        finally:
            browser.kill()
    assert answer.startswith(b"HTTP/1.1 403 ") and b"only the agent's own browser" in answer
    assert tunnel.startswith(b"HTTP/1.1 403 ")
    assert upstream.seen == [] and upstream.auth == [] and site.hits == []
