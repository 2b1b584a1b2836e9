"""Plain HTTP fetches: guarded redirects, proxies, size cap, timeouts — against the local site.

The public internet is stood in for by the local site reached as ``site.test`` through a
recording proxy (a host that no guard can see as local).
"""

from __future__ import annotations

import socket
import time

import pytest

from autogpt.errors import CommandError
from autogpt.web.fetch import Route, fetch
from autogpt.web.urlguard import UrlGuard, UrlRefused
from tests.support.proxy_server import RecordingProxy
from tests.web.conftest import make_settings
from tests.web.site import Site


def _route(**settings: object) -> Route:
    return Route.from_settings(make_settings(**settings))


def test_fetch_goes_through_the_proxy_from_the_settings(site: Site) -> None:
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        got = fetch(site.proxied_url("/hello"), _route(http_proxy=proxy.url), max_bytes=10_000)
    assert b"Hello from the site" in got.body
    assert ("GET", site.proxied_url("/hello")) in proxy.seen


def test_a_redirect_to_loopback_is_refused_before_it_is_followed(site: Site) -> None:
    start = site.proxied_url(f"/redirect?to={site.url('/secret')}")
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        with pytest.raises(UrlRefused) as refused:
            fetch(start, _route(http_proxy=proxy.url), max_bytes=10_000)
    assert f"redirected to {site.url('/secret')}: 127.0.0.1 is a loopback address" in str(
        refused.value
    )
    assert "ALLOW_PRIVATE_URLS=true" in str(refused.value)
    assert not any(hit.startswith("/secret") for hit in site.hits)


def test_the_same_redirect_is_followed_with_private_urls_allowed(site: Site) -> None:
    start = site.proxied_url(f"/redirect?to={site.url('/secret')}")
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        got = fetch(start, _route(http_proxy=proxy.url, allow_private_urls=True), max_bytes=10_000)
    assert b"The local secret is 4242" in got.body
    assert got.final_url == site.url("/secret")


def test_a_refused_proxy_is_named(site: Site) -> None:
    with socket.socket() as placeholder:  # a port that nothing listens on
        placeholder.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    with pytest.raises(CommandError) as failed:
        fetch(site.proxied_url("/hello"), _route(http_proxy=dead), max_bytes=10_000)
    assert str(failed.value).startswith(f"could not connect through proxy {dead}")


def test_a_slow_page_times_out_with_one_clear_line(site: Site) -> None:
    route = _route(allow_private_urls=True, browse_page_timeout=0.5)
    with pytest.raises(CommandError, match=r"timed out after 0.5 s waiting for http://127"):
        fetch(site.url("/slow?s=5"), route, max_bytes=10_000)


def test_bodies_past_the_cap_are_cut_and_flagged(site: Site) -> None:
    site.page("/big", "x" * 300_000, "text/plain")
    got = fetch(site.url("/big"), _route(allow_private_urls=True), max_bytes=1000)
    assert len(got.body) == 1000 and got.truncated


def test_a_redirect_loop_is_stopped(site: Site) -> None:
    with pytest.raises(CommandError, match="more than 10 redirects"):
        fetch(site.url("/loop"), _route(allow_private_urls=True), max_bytes=1000)


def test_an_error_status_is_reported(site: Site) -> None:
    with pytest.raises(CommandError, match="answered HTTP 404 Not Found"):
        fetch(site.url("/missing"), _route(allow_private_urls=True), max_bytes=1000)


def test_without_a_proxy_the_connection_goes_to_the_address_the_guard_checked(site: Site) -> None:
    """DNS rebinding: a name that resolves to a public address for the check and to a local
    one a moment later is refused at the connection, not fetched. (The guard's resolver stands
    in for a hostile name server; 'site.test' resolves nowhere else.)"""
    answers = {"site.test": ["93.184.216.34", "127.0.0.1"]}

    def rebinding(host: str, port: int) -> list[str]:
        return [answers[host].pop(0)] if len(answers[host]) > 1 else answers[host]

    route = _route()
    hostile = Route(
        settings=route.settings, guard=UrlGuard(resolve=rebinding), timeout=route.timeout
    )
    with pytest.raises(UrlRefused, match="site.test resolves to 127.0.0.1"):
        fetch(site.proxied_url("/secret"), hostile, max_bytes=10_000)
    assert site.hits == []

    # With private addresses allowed, the same resolver's answer is where the request goes,
    # with the name kept in the Host header.
    allowed = Route(
        settings=route.settings,
        guard=UrlGuard(allow_private=True, resolve=lambda h, p: ["127.0.0.1"]),
        timeout=route.timeout,
    )
    got = fetch(site.proxied_url("/hello"), allowed, max_bytes=10_000)
    assert b"Hello from the site" in got.body
    assert got.final_url == site.proxied_url("/hello")


@pytest.mark.parametrize("part", ["head", "body"])
def test_a_trickling_server_is_cut_off_at_the_overall_deadline(site: Site, part: str) -> None:
    """One byte a second: no single read ever waits long, the answer never ends. The read
    stops near BROWSE_PAGE_TIMEOUT (well before three times it)."""
    url = site.url(f"/trickle?part={part}")
    began = time.monotonic()
    with pytest.raises(CommandError) as failed:
        fetch(url, _route(allow_private_urls=True, browse_page_timeout=2), max_bytes=10_000)
    assert time.monotonic() - began < 6
    assert str(failed.value) == (
        f"timed out after 2 s {'waiting for' if part == 'head' else 'reading'} {url} "
        "(BROWSE_PAGE_TIMEOUT): the server answers too slowly"
    )


def test_a_407_on_a_page_read_names_the_proxy(site: Site) -> None:
    """Real squid with basic auth answers a plain-HTTP GET with 407 for a wrong password."""
    from tests.support.real_proxies import Squid

    with Squid(credentials=("alice", "s3cret")) as squid:
        wrong = squid.url_with("alice", "wrong-pass")
        with pytest.raises(CommandError) as refused:
            fetch(site.proxied_url("/hello"), _route(http_proxy=wrong), max_bytes=10_000)
    message = str(refused.value)
    assert message.startswith(
        f"the proxy at http://alice:***@127.0.0.1:{squid.port} refused the credentials (407"
    )
    assert "wrong-pass" not in message
