"""Chromium stays behind the agent's guard proxy: its control traffic, its own background
requests, WebRTC and other local clients of the guard proxy — with the real headless Chromium.

The public internet is stood in for by the local site; ``site.test`` resolves only inside the
recording proxy (the user's proxy here).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from autogpt.commands.context import RunResources
from autogpt.web.page import read_page
from autogpt.web.processes import browser_processes
from tests.support.proxy_server import RecordingProxy
from tests.web.conftest import make_ctx, make_settings, need_chromium, the_browser
from tests.web.site import JS_TEXT, Site


def test_selenium_talks_to_chromedriver_without_the_users_proxy(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's HTTP_PROXY (with a password) is in the environment and NO_PROXY is not: the
    page goes through the proxy, Selenium's requests to chromedriver on localhost never do."""
    need_chromium()
    resources = RunResources()
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        with_password = proxy.url.replace("://", "://me:pw@")
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.setenv(name, with_password)
        monkeypatch.delenv("NO_PROXY")
        monkeypatch.delenv("no_proxy")
        ctx = make_ctx(tmp_path, make_settings(http_proxy=with_password), resources=resources)
        try:
            page = read_page(ctx, site.proxied_url("/js"))
        finally:
            resources.close_all()
    assert page.via == "browser" and JS_TEXT in page.text
    assert ("GET", site.proxied_url("/js")) in proxy.seen
    control = [t for _, t in proxy.seen if "localhost" in t or "127.0.0.1" in t]
    assert control == []


def test_webrtc_sends_no_stun_packet_past_the_proxy(
    tmp_path: Path, site: Site, browser_resources: RunResources
) -> None:
    """A page asks for a STUN server on 127.0.0.1 (a UDP port the test listens on): nothing
    may arrive, since UDP cannot pass the guard proxy."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(0.2)
        received: list[bytes] = []
        done = threading.Event()

        def listen() -> None:
            while not done.is_set():
                try:
                    received.append(listener.recv(2048))
                except TimeoutError:
                    continue

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        stun = f"stun:127.0.0.1:{listener.getsockname()[1]}"
        site.page(
            "/rtc",
            f"""<html><body><p id="t">WebRTC page.</p><script>
            const pc = new RTCPeerConnection({{iceServers: [{{urls: "{stun}"}}]}});
            pc.createDataChannel("x");
            pc.onicecandidate = e => {{ document.getElementById("t").textContent +=
                e.candidate ? " candidate" : " gathered"; }};
            pc.createOffer().then(offer => pc.setLocalDescription(offer)).then(
                () => {{ document.getElementById("t").textContent += " started"; }});
            </script></body></html>""",
        )
        settings = make_settings(allow_private_urls=True)
        ctx = make_ctx(tmp_path, settings, resources=browser_resources)
        try:
            page = read_page(ctx, site.url("/rtc"))
        finally:
            done.set()
            thread.join()
    assert "WebRTC page. started" in page.text  # the script did run
    assert received == []


def test_the_guard_proxy_serves_only_its_browser(tmp_path: Path, site: Site) -> None:
    """The browser reads through its guard proxy and the user's proxy (with a password); a plain
    socket of the test, another local program, is refused by that same guard proxy, and the
    user's proxy never sees a request, or its password, for it."""
    need_chromium()
    resources = RunResources()
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as upstream:
        settings = make_settings(http_proxy=upstream.url.replace("://", "://me:pw@"))
        ctx = make_ctx(tmp_path, settings, resources=resources)
        try:
            page = read_page(ctx, site.proxied_url("/hello"))
            browser = the_browser(resources)
            assert browser.guard_proxy is not None
            seen = len(upstream.seen)
            port = int(browser.guard_proxy.url.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    f"GET {site.proxied_url('/secret')} HTTP/1.1\r\n"
                    f"Host: site.test:{site.port}\r\n\r\n".encode()
                )
                answer = sock.recv(65536)
        finally:
            resources.close_all()
    assert "Hello from the site" in page.text  # the browser itself is served
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert len(upstream.seen) == seen and "/secret" not in site.hits
    assert set(upstream.auth) == {"Basic bWU6cHc="}  # me:pw, only on the browser's requests


def test_chromium_sends_no_requests_of_its_own(tmp_path: Path, site: Site) -> None:
    """Sign-in, component updates, the search engine's preconnect: none of it reaches the guard
    proxy. Everything that does is either refused (a problem it notes) or sent on to the user's
    proxy (recorded), so those two together show all the browser asked for."""
    need_chromium()
    resources = RunResources()
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as upstream:
        ctx = make_ctx(
            tmp_path,
            make_settings(http_proxy=upstream.url, https_proxy=upstream.url),
            resources=resources,
        )
        try:
            page = read_page(ctx, site.proxied_url("/hello"))
            time.sleep(5)  # Chromium's own requests come at start-up and a few seconds later
            guard = the_browser(resources).guard_proxy
            assert guard is not None
            problems = guard.take_problems()
        finally:
            resources.close_all()
    assert "Hello from the site" in page.text
    assert [p.url for p in problems] == []
    own = [t for _, t in upstream.seen if not t.startswith(f"http://site.test:{site.port}/")]
    assert own == []


def test_the_browser_starts_without_the_agents_secrets_or_proxies_in_its_environment(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_chromium()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-agent-secret-1")
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-agent-secret-2")
    monkeypatch.setenv("HTTP_PROXY", "http://me:proxy-secret-3@127.0.0.1:9")
    resources = RunResources()
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True), resources=resources)
    try:
        read_page(ctx, site.url("/hello"))
        browser = the_browser(resources)
        environments = [
            Path(f"/proc/{pid}/environ").read_bytes()
            for pid in browser_processes(str(browser.profile_dir))
        ]
    finally:
        resources.close_all()
    assert len(environments) >= 2  # chromedriver and Chromium's processes
    for environ in environments:
        assert b"agent-secret" not in environ and b"proxy-secret" not in environ
