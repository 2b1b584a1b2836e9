"""The real headless Chromium against the local site: scripts, encodings, timeouts, redirects,
proxies, and no process left behind (also after Ctrl-C).

The public internet is stood in for by the local site; ``site.test`` resolves only inside the
recording proxy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autogpt.commands.context import RunResources
from autogpt.errors import CommandError
from autogpt.web.browser import Browser
from autogpt.web.drivers import BrowserUnavailable, proxy_plan
from autogpt.web.page import read_page
from autogpt.web.processes import browser_processes
from autogpt.web.urlguard import UrlRefused
from tests.support.proxy_server import RecordingProxy
from tests.support.socks_server import RecordingSocksProxy
from tests.web.conftest import make_ctx, make_settings, need_chromium
from tests.web.site import GBK_TEXT, JS_TEXT, Site

ROOT = Path(__file__).resolve().parents[2]


def test_text_that_only_javascript_writes_is_read(
    tmp_path: Path, site: Site, browser_resources: RunResources
) -> None:
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True), resources=browser_resources)
    page = read_page(ctx, site.url("/js"))
    assert page.via == "browser"
    assert JS_TEXT in page.text


def test_plain_http_cannot_see_it(tmp_path: Path, site: Site) -> None:
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True))
    page = read_page(ctx, site.url("/js"), use_browser=False)
    assert page.via == "http" and JS_TEXT not in page.text


def test_a_gbk_page_reads_as_chinese(
    tmp_path: Path, site: Site, browser_resources: RunResources
) -> None:
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True), resources=browser_resources)
    page = read_page(ctx, site.url("/gbk-undeclared"))
    assert GBK_TEXT in page.text
    assert page.links[0].text == "下一页"


def test_a_slow_page_times_out_with_one_clear_line(
    tmp_path: Path, site: Site, browser_resources: RunResources
) -> None:
    settings = make_settings(allow_private_urls=True, browse_page_timeout=1)
    ctx = make_ctx(tmp_path, settings, resources=browser_resources)
    with pytest.raises(CommandError) as failed:
        read_page(ctx, site.url("/slow?s=6"))
    assert str(failed.value) == f"timed out after 1 s loading {site.url('/slow?s=6')}"
    # the browser is still usable afterwards
    assert "Hello from the site" in read_page(ctx, site.url("/hello")).text


def test_a_local_url_is_refused_before_the_browser_starts(tmp_path: Path) -> None:
    resources = RunResources()
    ctx = make_ctx(tmp_path, make_settings(), resources=resources)
    with pytest.raises(UrlRefused, match="127.0.0.1 is a loopback address"):
        read_page(ctx, "http://127.0.0.1:9/")
    assert resources.get("web.browser") is None


def test_browser_and_guard_through_a_proxy(tmp_path: Path, site: Site) -> None:
    """A browser behind the recording proxy: it really goes through the proxy; a redirect to
    127.0.0.1 is refused before the browser sends anything there, and read with
    ALLOW_PRIVATE_URLS=true (a run of its own: the settings of a run do not change)."""
    need_chromium()
    resources, open_resources = RunResources(), RunResources()
    notes: list[str] = []
    browsers = []
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        guarded = make_settings(http_proxy=proxy.url, no_proxy="127.0.0.1,localhost")
        ctx = make_ctx(tmp_path, guarded, resources=resources, notes=notes)
        try:
            page = read_page(ctx, site.proxied_url("/hello"))
            assert page.via == "browser" and "Hello from the site" in page.text
            assert ("GET", site.proxied_url("/hello")) in proxy.seen

            start = site.proxied_url(f"/redirect?to={site.url('/secret')}")
            with pytest.raises(UrlRefused) as refused:
                read_page(ctx, start)
            assert f"redirected to {site.url('/secret')}: 127.0.0.1 is a loopback" in str(
                refused.value
            )
            assert "/secret" not in site.hits  # refused before it was requested
            open_ctx = make_ctx(
                tmp_path,
                guarded.model_copy(update={"allow_private_urls": True}),
                resources=open_resources,
            )
            assert "The local secret is 4242" in read_page(open_ctx, start).text
            assert "/secret" in site.hits
        finally:
            browsers = [resources.get("web.browser"), open_resources.get("web.browser")]
            resources.close_all()
            open_resources.close_all()
    for browser in browsers:
        assert isinstance(browser, Browser), notes
        assert browser_processes(str(browser.profile_dir)) == []


def test_a_redirect_to_https_on_a_local_address_is_refused_before_the_tunnel_opens(
    tmp_path: Path, site: Site
) -> None:
    need_chromium()
    resources = RunResources()
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        settings = make_settings(http_proxy=proxy.url, https_proxy=proxy.url)
        ctx = make_ctx(tmp_path, settings, resources=resources)
        try:
            with pytest.raises(UrlRefused, match="127.0.0.1 is a loopback address"):
                read_page(
                    ctx, site.proxied_url(f"/redirect?to=https://127.0.0.1:{site.port}/secret")
                )
        finally:
            resources.close_all()
    assert not [t for _, t in proxy.seen if t.startswith(("127.0.0.1", "http://127.0.0.1"))]


def test_a_page_cannot_make_the_browser_reach_a_local_address(tmp_path: Path, site: Site) -> None:
    """Scripts, images and frames of a page aimed at 127.0.0.1 are stopped by the browser's
    guard proxy; the page itself is read. (site.test stands for a public site: the recording
    proxy resolves it, as a corporate proxy would.)"""
    need_chromium()
    secret = site.url("/secret")
    site.page(
        "/hostile",
        f"""<html><body><p id="t">A page with hidden requests.</p>
        <img src="{secret}?img"><iframe src="{secret}?frame"></iframe>
        <script>fetch("{secret}?fetch").then(r => r.text()).then(
            t => {{ document.getElementById("t").textContent += " leaked: " + t; }},
            () => {{ document.getElementById("t").textContent += " blocked"; }});</script>
        </body></html>""",
    )
    resources = RunResources()
    with RecordingProxy(resolve={"site.test": "127.0.0.1"}) as proxy:
        ctx = make_ctx(tmp_path, make_settings(http_proxy=proxy.url), resources=resources)
        try:
            page = read_page(ctx, site.proxied_url("/hostile"))
        finally:
            resources.close_all()
    assert "A page with hidden requests" in page.text
    assert "leaked" not in page.text and "4242" not in page.text
    assert not [hit for hit in site.hits if hit.startswith("/secret")]


def test_a_dead_proxy_is_named(tmp_path: Path, site: Site) -> None:
    need_chromium()
    dead = "http://127.0.0.1:9"
    resources = RunResources()
    ctx = make_ctx(tmp_path, make_settings(http_proxy=dead), resources=resources)
    try:
        with pytest.raises(CommandError) as failed:
            read_page(ctx, site.proxied_url("/hello"))
    finally:
        resources.close_all()
    assert str(failed.value).startswith(f"could not connect through proxy {dead}")


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_a_proxy_with_a_password_serves_the_browser(tmp_path: Path, site: Site, kind: str) -> None:
    """Chromium cannot send proxy credentials; its guard proxy does, over HTTP and SOCKS5."""
    need_chromium()
    resources = RunResources()
    notes: list[str] = []
    resolve = {"site.test": "127.0.0.1"}
    proxy = (
        RecordingProxy(resolve=resolve)
        if kind == "http"
        else RecordingSocksProxy(resolve=resolve, credentials=("me", "pw"))
    )
    with proxy:
        with_password = proxy.url.replace("://", "://me:pw@")
        settings = make_settings(**{"http_proxy" if kind == "http" else "all_proxy": with_password})
        ctx = make_ctx(tmp_path, settings, resources=resources, notes=notes)
        try:
            page = read_page(ctx, site.proxied_url("/js"))
        finally:
            resources.close_all()
    assert page.via == "browser" and JS_TEXT in page.text, notes  # rendered by its script
    if isinstance(proxy, RecordingProxy):
        assert proxy.auth[0] == "Basic bWU6cHc="  # me:pw
    else:
        assert f"site.test:{site.port}" in proxy.seen and set(proxy.users) == {"me"}


def test_proxy_flags_follow_the_settings() -> None:
    plan = proxy_plan(
        make_settings(
            https_proxy="http://u:p@proxy.corp:3128",
            http_proxy="http://proxy.corp:8080",
            no_proxy="intranet.corp,.local,10.0.0.0/8",
        )
    )
    assert plan.server == "http=http://proxy.corp:8080;https=http://proxy.corp:3128"
    assert plan.bypass == ("<-loopback>;intranet.corp;*.intranet.corp;*.local;local;10.0.0.0/8")
    assert plan.dropped_credentials
    assert proxy_plan(make_settings(all_proxy="socks5://127.0.0.1:1080")).server == (
        "socks5://127.0.0.1:1080"
    )
    assert proxy_plan(make_settings()).server is None


def test_no_browser_means_plain_http_and_one_notice(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_start(settings: object) -> Browser:
        raise BrowserUnavailable("Chromium could not start (test)")

    monkeypatch.setattr(Browser, "start", staticmethod(cannot_start))
    notes: list[str] = []
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True), notes=notes)
    first = read_page(ctx, site.url("/hello"))
    second = read_page(ctx, site.url("/gbk"))
    assert (first.via, second.via) == ("http", "http")
    assert GBK_TEXT in second.text
    assert [n for n in notes if n.startswith("No browser")] == [
        "No browser: Chromium could not start (test). Reading pages over plain HTTP instead."
    ]


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from autogpt.commands.context import CommandContext, RunResources
    from autogpt.config.settings import Settings
    from autogpt.web.page import read_page
    from autogpt.workspace import Workspace

    settings = Settings(_env_file=None, allow_private_urls=True, browse_page_timeout=30)
    ctx = CommandContext(workspace=Workspace(Path(sys.argv[2])), settings=settings,
                         resources=RunResources())
    close_in_finally = sys.argv[3] == "finally"
    try:
        browser = ctx.resources.get_or_create("web.browser", lambda: __import__(
            "autogpt.web.browser", fromlist=["Browser"]).Browser.start(settings),
            close=lambda b: b.close())
        print(browser.profile_dir, flush=True)
        read_page(ctx, sys.argv[1])
    finally:
        if close_in_finally:
            ctx.resources.close_all()
    """
)


@pytest.mark.parametrize("cleanup", ["finally", "atexit"])
def test_ctrl_c_leaves_no_browser_process(tmp_path: Path, site: Site, cleanup: str) -> None:
    """Ctrl-C in a terminal signals the whole foreground group; the browser must not outlive
    the agent, whether the run's resources are closed in ``finally`` or only by ``atexit``."""
    need_chromium()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, site.url("/slow?s=20"), str(tmp_path), cleanup],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        profile = child.stdout.readline().strip()
        assert profile, child.stderr.read() if child.stderr else ""
        deadline = time.monotonic() + 10
        while not any(h.startswith("/slow") for h in site.hits) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert browser_processes(profile), "the browser should be running"
        os.killpg(child.pid, signal.SIGINT)
        _, stderr = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert "KeyboardInterrupt" in stderr
    assert browser_processes(profile) == []
    assert not Path(profile).exists()


def test_an_error_status_is_reported(
    tmp_path: Path, site: Site, browser_resources: RunResources
) -> None:
    ctx = make_ctx(tmp_path, make_settings(allow_private_urls=True), resources=browser_resources)
    with pytest.raises(CommandError, match=r"/missing answered HTTP 404$"):
        read_page(ctx, site.url("/missing"))
