"""How the browser is started: the binary, the flags, the proxy flags, the driver search.

The driver is looked for in this order: ``CHROMEDRIVER_PATH``, a system chromedriver, Selenium
Manager, webdriver-manager; the first that starts Chromium wins, and if none does, every reason
is given. The driver runs in its own session, so a Ctrl-C in the terminal reaches only the agent,
which then closes the browser itself. Chromium gets ``--no-sandbox`` only when running as root.

Selenium talks to the driver on localhost; that control traffic never goes through the user's
proxy (Selenium would otherwise read ``HTTP_PROXY`` and send it there, password included), and the
driver and the browser start without the proxy variables and the agent's secrets in their
environment.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from autogpt.web.processes import kill_profile_processes
from autogpt.web.untrusted import for_terminal

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

CHROME_FLAGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
    "--blink-settings=imagesEnabled=false",
    "--window-size=1280,2000",
    # No requests of Chromium's own (network time, sign-in, translation, hints) on top of
    # the pages': they would leave through the user's proxy for nothing.
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-default-apps",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication",
    # WebRTC sends UDP (STUN, media) past any proxy: to a local address or out of the network.
    # Only proxied traffic is allowed, and WebRTC has no UDP through an HTTP proxy.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    # Chromium's own services (sign-in, component and model updates) ask even with the flags
    # above; they are aimed at port 1, which no request may use (ERR_UNSAFE_PORT), so they fail
    # inside the browser and reach no proxy. The search engine's preconnect: see the prefs.
    "--gaia-url=http://127.0.0.1:1/",
    "--component-updater=url-source=http://127.0.0.1:1/",
)
NO_SEARCH_ENGINE = {
    "template_url_data": {
        "short_name": "none",
        "keyword": "none",
        "url": "http://127.0.0.1:1/?q={searchTerms}",
        "synced_guid": "autogpt-no-search-engine",
    }
}
"""The browser's default search engine: none to preconnect to (the agent searches itself)."""
_KEPT_OUT = re.compile(
    r"(^|_)(PROXY|KEY|TOKEN|SECRET|PASSWORD|PASSWD)($|_)|^DATABASE_URL$", re.IGNORECASE
)
CHROME_BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SYSTEM_DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


class BrowserUnavailable(Exception):
    """No browser could be started; the message says why (shown once, then plain HTTP is used)."""


@dataclass(frozen=True)
class ProxyPlan:
    server: str | None
    bypass: str | None
    dropped_credentials: bool = False


def proxy_plan(settings: Settings) -> ProxyPlan:
    """Chromium's ``--proxy-server`` / ``--proxy-bypass-list`` from the proxy settings.

    Like the HTTP libraries: ``HTTP_PROXY`` for http, ``HTTPS_PROXY`` for https, ``ALL_PROXY`` for
    either when unset; ``NO_PROXY`` hosts go direct. ``<-loopback>`` makes loopback go through the
    proxy too (Chromium bypasses it implicitly), unless NO_PROXY lists it.
    """
    http = settings.http_proxy or settings.all_proxy
    https = settings.https_proxy or settings.all_proxy
    if not http and not https:
        return ProxyPlan(None, None)
    dropped = any(urlsplit(p).password or urlsplit(p).username for p in (http, https) if p)
    http, https = (_without_credentials(p) if p else None for p in (http, https))
    if http == https:
        server = http
    else:
        server = ";".join(f"{s}={p}" for s, p in (("http", http), ("https", https)) if p)
    rules = ["<-loopback>"]
    for entry in (settings.no_proxy or "").split(","):
        entry = entry.strip()
        if entry == "*":
            return ProxyPlan(None, None, dropped)
        if not entry:
            continue
        if entry.startswith("."):
            rules += [f"*{entry}", entry[1:]]
        elif entry[0].isalpha() and "/" not in entry:
            rules += [entry, f"*.{entry}"]
        else:
            rules.append(entry)
    return ProxyPlan(server, ";".join(rules), dropped)


def _without_credentials(proxy: str) -> str:
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    scheme = {"socks5h": "socks5", "socks4a": "socks4"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, netloc, "", "", ""))  # Chromium resolves through SOCKS itself


def guarded_plan(proxy_url: str) -> ProxyPlan:
    """Every request, loopback included, through the guard proxy (``guard_proxy.py``)."""
    return ProxyPlan(proxy_url, "<-loopback>")


def start_chrome(settings: Settings, profile_dir: Path, plan: ProxyPlan) -> tuple[Any, str]:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    binary = next(filter(None, map(shutil.which, CHROME_BINARIES)), None)
    if binary:
        options.binary_location = binary
    flags = list(CHROME_FLAGS) if settings.headless_browser else list(CHROME_FLAGS[1:])
    flags.append(f"--user-data-dir={profile_dir}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    if plan.server:
        flags.append(f"--proxy-server={plan.server}")
        flags.append(f"--proxy-bypass-list={plan.bypass}")
    for flag in flags:
        options.add_argument(flag)
    options.page_load_strategy = "normal"
    options.unhandled_prompt_behavior = "dismiss"
    options.add_experimental_option(
        "prefs",
        {
            "download_restrictions": 3,
            "net.network_prediction_options": 2,  # no preconnects (to the search engine, links)
            "signin.allowed": False,
            "default_search_provider_data": NO_SEARCH_ENGINE,
            "webrtc.ip_handling_policy": "disable_non_proxied_udp",
            "webrtc.multiple_routes_enabled": False,
            "webrtc.nonproxied_udp_enabled": False,
        },
    )
    options.add_experimental_option("excludeSwitches", ["enable-automation"])
    _no_proxy_for_the_driver(options)
    failures: list[str] = []
    for how, make_service in _chrome_services(settings, profile_dir):
        try:
            service = make_service()
        except Exception as exc:
            failures.append(f"{how}: {_short(exc)}")
            continue
        if service is None:
            continue
        try:
            return webdriver.Chrome(options=options, service=service), how
        except Exception as exc:
            failures.append(f"{how}: {_short(exc)}")
            kill_profile_processes(profile_dir)
    browser = binary or "no chromium/chrome binary found"
    raise BrowserUnavailable(f"Chromium could not start ({browser}; " + "; ".join(failures) + ")")


def _no_proxy_for_the_driver(options: Any) -> None:
    """Selenium's requests to the driver (localhost) go direct, whatever HTTP_PROXY says."""
    with warnings.catch_warnings():
        # Deprecated for a ClientConfig, which webdriver.Chrome/Firefox do not take yet.
        warnings.simplefilter("ignore", DeprecationWarning)
        options.ignore_local_proxy_environment_variables()


def _direct(service_class: type) -> type:
    """``service_class`` whose shutdown request to the driver skips the proxy variables too
    (Selenium sends it with ``urllib``'s defaults, which read them)."""

    class DirectService(service_class):  # type: ignore[misc]  # a base class chosen at run time
        def send_remote_shutdown_command(self) -> None:
            import time
            import urllib.request

            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                opener.open(f"{self.service_url}/shutdown", timeout=10).close()
            except OSError:  # URLError, a timeout: the driver is gone already
                return
            for _ in range(30):
                if not self.is_connectable():
                    break
                time.sleep(1)

    return DirectService


def driver_environment() -> dict[str, str]:
    """The agent's environment without proxy variables and secrets (API keys, tokens)."""
    return {name: value for name, value in os.environ.items() if not _KEPT_OUT.search(name)}


def _chrome_services(
    settings: Settings, profile_dir: Path
) -> Iterator[tuple[str, Callable[[], Any]]]:
    from selenium.webdriver.chrome.service import Service

    # The profile dir on the driver's command line too (an empty log), so the sweep after a
    # killed run finds the driver as well as the browser (processes.py).
    marker = [f"--log-path={profile_dir / 'chromedriver.log'}", "--log-level=OFF"]

    def service(path: str | None) -> Any:
        return _direct(Service)(
            executable_path=path,
            service_args=marker,
            env=driver_environment(),
            popen_kw={"start_new_session": True},
        )

    def configured() -> Any:
        path = settings.chromedriver_path
        if not path:
            return None
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            raise BrowserUnavailable(f"CHROMEDRIVER_PATH={path} is not an executable file")
        return service(path)

    def system() -> Any:
        found = shutil.which("chromedriver") or next(
            (p for p in SYSTEM_DRIVERS if os.access(p, os.X_OK)), None
        )
        return service(found) if found else None

    def webdriver_manager() -> Any:
        from webdriver_manager.chrome import ChromeDriverManager

        return service(ChromeDriverManager().install())

    yield "CHROMEDRIVER_PATH", configured
    yield "system chromedriver", system
    yield "Selenium Manager", lambda: service(None)
    yield "webdriver-manager", webdriver_manager


def start_firefox(settings: Settings, profile_dir: Path, plan: ProxyPlan) -> tuple[Any, str]:
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    if settings.headless_browser:
        options.add_argument("-headless")
    options.add_argument("-profile")
    options.add_argument(str(profile_dir))
    if plan.server and "=" not in plan.server:
        parts = urlsplit(plan.server)
        kind = "socks" if (parts.scheme or "").startswith("socks") else "http"
        options.set_preference("network.proxy.type", 1)
        for key in ("http", "ssl") if kind == "http" else ("socks",):
            options.set_preference(f"network.proxy.{key}", parts.hostname or "")
            options.set_preference(f"network.proxy.{key}_port", parts.port or 8080)
        options.set_preference("network.proxy.allow_hijacking_localhost", True)
    _no_proxy_for_the_driver(options)
    options.set_preference("media.peerconnection.enabled", False)  # WebRTC: UDP past the proxy
    options.set_preference("browser.download.folderList", 2)
    options.set_preference("browser.download.dir", str(profile_dir))
    try:
        service = _direct(Service)(env=driver_environment(), popen_kw={"start_new_session": True})
        return webdriver.Firefox(options=options, service=service), "geckodriver"
    except Exception as exc:
        raise BrowserUnavailable(f"Firefox could not start: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc).strip().splitlines()
    return for_terminal(text[0] if text else type(exc).__name__, 200)
