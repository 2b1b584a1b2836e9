"""The URL guard: schemes, local and private addresses, redirects named, the opt-outs."""

from __future__ import annotations

import pytest

from autogpt.errors import CommandError
from autogpt.web.urlguard import UrlGuard, UrlRefused

GUARD = UrlGuard()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "data:text/html,hi", "javascript:alert(1)", "ftp://x.org/f"]
)
def test_only_http_and_https_are_allowed(url: str) -> None:
    with pytest.raises(UrlRefused, match="only http and https"):
        GUARD.check(url)


def test_loopback_literal_is_refused_with_the_setting_that_allows_it() -> None:
    with pytest.raises(UrlRefused) as refused:
        GUARD.check("http://127.0.0.1:8000/admin")
    assert str(refused.value) == (
        "refused: 127.0.0.1 is a loopback address; "
        "set ALLOW_PRIVATE_URLS=true to allow local addresses"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
        ("http://10.1.2.3/", "a private address"),
        ("http://192.168.1.1/", "a private address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://[::1]:8080/", "a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("http://0.0.0.0:9000/", "an unspecified address"),
    ],
)
def test_local_and_private_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=reason):
        GUARD.check(url)


@pytest.mark.parametrize("url", ["http://localhost:8000/", "http://2130706433/", "http://127.1/"])
def test_names_and_odd_spellings_are_judged_by_what_they_resolve_to(url: str) -> None:
    with pytest.raises(UrlRefused, match=r"resolves to 127\.0\.0\.1, a loopback address"):
        GUARD.check(url)


def test_a_refused_redirect_names_both_urls() -> None:
    with pytest.raises(UrlRefused) as refused:
        GUARD.check("http://127.0.0.1/x", redirected_from="http://site.test/r")
    assert str(refused.value).startswith(
        "refused: http://site.test/r redirected to http://127.0.0.1/x: 127.0.0.1 is a loopback"
    )


def test_public_addresses_pass() -> None:
    assert GUARD.check(" https://8.8.8.8/dns ") == "https://8.8.8.8/dns"


def test_allow_private_urls_lifts_the_address_check_but_not_the_scheme_check() -> None:
    guard = UrlGuard(allow_private=True)
    assert guard.check("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/"
    with pytest.raises(UrlRefused):
        guard.check("file:///etc/passwd")


def test_the_users_own_searxng_is_always_allowed() -> None:
    class Configured:
        searxng_url = "http://127.0.0.1:8888"
        allow_private_urls = False

    guard = UrlGuard.from_settings(Configured())
    assert guard.check("http://127.0.0.1:8888/search?q=x")
    with pytest.raises(UrlRefused):
        guard.check("http://127.0.0.1:8889/")


def test_a_name_only_the_proxy_can_resolve_is_left_to_the_proxy() -> None:
    def unresolvable(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    guard = UrlGuard(resolve=unresolvable)
    assert guard.check("http://site.test/", via_proxy=True)
    with pytest.raises(CommandError, match="could not resolve host site.test"):
        guard.check("http://site.test/")


def test_a_name_resolving_to_a_private_address_is_refused_even_through_a_proxy() -> None:
    guard = UrlGuard(resolve=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(UrlRefused, match=r"intranet\.example resolves to 10\.0\.0\.7"):
        guard.check("http://intranet.example/", via_proxy=True)
