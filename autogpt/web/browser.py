"""One real browser for the run: Selenium 4 driving headless Chromium (Firefox where it exists).

Started on first use, reused by every page, closed once at exit: through ``ctx.resources`` and an
``atexit`` safety net, and by killing whatever still runs with this browser's private profile
directory, so no chromium is left behind, also after Ctrl-C (the driver runs in its own session,
so the terminal's SIGINT reaches only us and we close it). How it is started (driver
search, flags, proxies) is ``drivers.py``; finding its processes is ``processes.py``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from autogpt.config.proxy import redact
from autogpt.errors import CommandError
from autogpt.web.drivers import guarded_plan, proxy_plan, start_chrome, start_firefox
from autogpt.web.guard_proxy import GuardProxy, Problem, problem_for, uses_guard_proxy
from autogpt.web.processes import kill_profile_processes, profile_prefix, sweep_orphans
from autogpt.web.untrusted import for_terminal

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

log = logging.getLogger(__name__)

QUIT_SECONDS = 5.0
SETTLE_SECONDS = 0.4
SETTLE_MAX_SECONDS = 3.0
_TEXT_JS = "return document.body ? document.body.innerText : '';"
_STATUS_JS = (
    "const n = performance.getEntriesByType('navigation')[0];"
    "return n && n.responseStatus ? n.responseStatus : 0;"
)
_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "could not resolve the host name",
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_CONNECTION_TIMED_OUT": "connection timed out",
    "ERR_CONNECTION_RESET": "connection reset",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_ADDRESS_UNREACHABLE": "address unreachable",
    "ERR_CERT_": "the site's TLS certificate is not valid",
    "ERR_SSL_": "TLS error",
    "ERR_TOO_MANY_REDIRECTS": "too many redirects",
    "ERR_BLOCKED_BY_CLIENT": "blocked by the browser",
}


@dataclass(frozen=True)
class Rendered:
    url: str
    final_url: str
    title: str
    html: str
    text: str
    """``document.body.innerText``: what a person sees, after scripts ran."""
    complete: bool = True
    """False when the page load timed out and what had loaded was taken."""
    status: int = 0
    """The HTTP status of the page (0 when the browser does not say)."""
    problem: CommandError | None = None
    """Why the guard proxy refused or could not send the request for the page itself."""


class Browser:
    """A started browser; :meth:`load` renders a page, :meth:`close` always ends every process."""

    def __init__(
        self,
        driver: Any,
        profile_dir: Path,
        *,
        proxies: dict[str, str | None],
        how: str,
        guard_proxy: GuardProxy | None = None,
    ) -> None:
        self.driver = driver
        self.profile_dir = profile_dir
        self.guard_proxy = guard_proxy
        """Every request of the browser passes it (None behind a SOCKS4 proxy)."""
        self.proxies = proxies
        """Scheme -> the proxy the browser sends it through (for messages)."""
        self.how = how
        self.started_seconds = 0.0
        self._closed = False
        self._busy = False
        """True while a command runs in the driver: chromedriver would make quit() wait for it."""
        atexit.register(self.close)

    @classmethod
    def start(cls, settings: Settings) -> Browser:
        """Start the configured browser or raise :class:`BrowserUnavailable` saying why."""
        from autogpt.web.fetch import Route

        began = time.monotonic()
        swept = sweep_orphans()
        if swept:
            log.info("ended the browsers of %d earlier run(s) that were killed", swept)
        profile_dir = Path(tempfile.mkdtemp(prefix=profile_prefix()))
        guard = GuardProxy(Route.from_settings(settings)) if uses_guard_proxy(settings) else None
        plan = guarded_plan(guard.url) if guard else proxy_plan(settings)
        try:
            if settings.use_web_browser == "firefox":
                driver, how = start_firefox(settings, profile_dir, plan)
            else:
                driver, how = start_chrome(settings, profile_dir, plan)
        except BaseException:
            kill_profile_processes(profile_dir)
            shutil.rmtree(profile_dir, ignore_errors=True)
            if guard:
                guard.close()
            raise
        if guard:
            guard.serve_only(driver.service.process.pid)
        proxies = {
            "http": settings.http_proxy or settings.all_proxy,
            "https": settings.https_proxy or settings.all_proxy,
        }
        browser = cls(driver, profile_dir, proxies=proxies, how=how, guard_proxy=guard)
        browser.started_seconds = time.monotonic() - began
        log.info("browser started in %.2f s (%s)", browser.started_seconds, how)
        return browser

    def load(self, url: str, *, timeout: float) -> Rendered:
        """Open ``url``, let its scripts render, and take the DOM and the visible text."""
        self._busy = True
        try:
            rendered = self._load(url, timeout)
        except Exception:
            self._busy = False
            raise
        self._busy = False  # not after Ctrl-C: the driver may still be inside the command
        return rendered

    def _load(self, url: str, timeout: float) -> Rendered:
        from selenium.common.exceptions import TimeoutException, WebDriverException

        driver = self.driver
        driver.set_page_load_timeout(timeout)
        complete = True
        self._problems()  # forget what earlier pages left
        try:
            driver.get(url)
        except TimeoutException:
            complete = False
            with contextlib.suppress(WebDriverException):
                driver.execute_script("window.stop();")
        except WebDriverException as exc:
            problems = self._problems()
            raise (
                problems[-1].error if problems else CommandError(self._describe(exc, url))
            ) from None
        try:
            text = self._settle(complete)
            if not complete and not text.strip():
                raise CommandError(f"timed out after {timeout:g} s loading {for_terminal(url)}")
            final_url = driver.current_url
            rendered = Rendered(
                url=url,
                final_url=final_url,
                title=driver.title or "",
                html=driver.page_source or "",
                text=text,
                complete=complete,
                status=int(driver.execute_script(_STATUS_JS) or 0),
                problem=problem_for(self._problems(), final_url),
            )
        except WebDriverException as exc:
            raise CommandError(self._describe(exc, url)) from None
        finally:
            with contextlib.suppress(WebDriverException):
                driver.get("about:blank")  # stop the page's timers and requests
        return rendered

    def _settle(self, complete: bool) -> str:
        """Wait until the visible text stops changing (scripts that render after load)."""
        text = self.driver.execute_script(_TEXT_JS) or ""
        if not complete:
            return str(text)
        end = time.monotonic() + SETTLE_MAX_SECONDS
        stable_since = time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.1)
            now = self.driver.execute_script(_TEXT_JS) or ""
            if now != text:
                text, stable_since = now, time.monotonic()
            elif text.strip() and time.monotonic() - stable_since >= SETTLE_SECONDS:
                break
        return str(text)

    def _problems(self) -> list[Problem]:
        """What the guard proxy refused or could not send since the last call."""
        return self.guard_proxy.take_problems() if self.guard_proxy else []

    def _describe(self, exc: Exception, url: str) -> str:
        message = str(getattr(exc, "msg", None) or exc).splitlines()[0] if str(exc) else ""
        shown = for_terminal(url)
        proxy = self.proxies.get(urlsplit(url).scheme.lower())
        if "ERR_PROXY" in message or "ERR_TUNNEL_CONNECTION_FAILED" in message:
            if not proxy:  # the guard proxy's tunnel: the site itself could not be reached
                return f"could not load {shown}: could not connect to the site"
            return f"could not connect through proxy {redact(proxy)} (loading {shown})"
        for code, reason in _NET_ERRORS.items():
            if code in message:
                via = f" through proxy {redact(proxy)}" if proxy else ""
                return f"could not load {shown}{via}: {reason}"
        if "invalid session id" in message or "not reachable" in message:
            return f"the browser stopped while loading {shown}; try again"
        return f"the browser could not load {shown}: {for_terminal(message, 200)}"

    @property
    def alive(self) -> bool:
        try:
            _ = self.driver.current_url
        except Exception:
            return False
        return not self._closed

    def close(self) -> None:
        """Quit the driver, then end anything still running from this profile. Idempotent."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        service = getattr(self.driver, "service", None)
        if not self._busy:  # interrupted mid-command: chromedriver would answer quit() late
            quitting = threading.Thread(target=self._quit, name="browser-quit", daemon=True)
            quitting.start()
            quitting.join(QUIT_SECONDS)
        process = getattr(service, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            with contextlib.suppress(Exception):
                process.wait(5)
        kill_profile_processes(self.profile_dir)
        shutil.rmtree(self.profile_dir, ignore_errors=True)
        if self.guard_proxy:
            self.guard_proxy.close()

    def _quit(self) -> None:
        try:
            self.driver.quit()
        except Exception as exc:  # the browser may be gone already
            log.debug("driver.quit failed: %s", exc)
