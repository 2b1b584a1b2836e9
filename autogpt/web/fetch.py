"""Plain HTTP for the agent: every redirect hop guarded, a size cap, a deadline, proxies named.

Redirects are followed here, one hop at a time, so each new URL passes :class:`UrlGuard` before
anything is sent to it; without a proxy, the connection goes to the address the guard checked
(``_PinnedTransport``), so a name cannot resolve to a public address for the check and to a
local one for the connection. The proxy for each hop comes from the settings (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), not from whatever the process environment holds.
Failures are one-line :class:`CommandError`\\s; a failure to reach a proxy names the proxy.
Each read has an overall :class:`Deadline` (``deadline.py``), so a trickling server cannot hold it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from autogpt.config.proxy import proxy_for, redact
from autogpt.errors import CommandError
from autogpt.web.deadline import Deadline, bound_by
from autogpt.web.untrusted import for_terminal, quote, without_secrets
from autogpt.web.urlguard import UrlGuard

if TYPE_CHECKING:
    import httpx2

    from autogpt.config.settings import Settings

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
Progress = Callable[[int, int | None], None]
"""(bytes so far, total bytes or None)"""


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    truncated: bool


@dataclass(frozen=True)
class Route:
    """How a request is sent: the guard, the per-request timeout and the proxy settings."""

    settings: Settings
    guard: UrlGuard
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: float | None = None) -> Route:
        return cls(
            settings=settings,
            guard=UrlGuard.from_settings(settings),
            timeout=timeout if timeout is not None else settings.browse_page_timeout,
        )

    def proxy(self, url: str) -> str | None:
        return proxy_for(url, self.settings)


@contextlib.contextmanager
def open_response(
    url: str,
    route: Route,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    deadline: Deadline | None = None,
) -> Iterator[httpx2.Response]:
    """A streamed GET of ``url`` after its redirects, each hop checked by the guard; all of it
    before ``deadline`` (by default the route's timeout from now)."""
    deadline = deadline or Deadline(route.timeout)
    clients: dict[str | None, httpx2.Client] = {}
    current = route.guard.check(url, via_proxy=route.proxy(url) is not None)
    with contextlib.ExitStack() as stack:
        for _hop in range(MAX_REDIRECTS + 1):
            proxy = route.proxy(current)
            client = clients.get(proxy)
            if client is None:
                client = stack.enter_context(_client(proxy, route, deadline))
                clients[proxy] = client
            request = client.build_request(
                "GET", current, params=params, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            response = _send(client, request, proxy=proxy, timeout=route.timeout, deadline=deadline)
            stack.callback(response.close)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                yield response
                return
            target = urljoin(str(response.url), location.strip())
            current = route.guard.check(
                target,
                via_proxy=route.proxy(target) is not None,
                redirected_from=without_secrets(str(response.url)),
            )
            params = None  # they are part of the first URL only
        raise CommandError(f"{_shown(url)}: more than {MAX_REDIRECTS} redirects")


def fetch(url: str, route: Route, *, max_bytes: int) -> Fetched:
    """The body of ``url`` (at most ``max_bytes``; ``truncated`` says if more was left)."""
    deadline = Deadline(route.timeout, "BROWSE_PAGE_TIMEOUT")
    with open_response(url, route, deadline=deadline) as response:
        raise_for_status(url, response, route)
        body, truncated = read_capped(response, max_bytes, url=url, deadline=deadline)
        return Fetched(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=body,
            truncated=truncated,
        )


def read_capped(
    response: httpx2.Response,
    max_bytes: int,
    *,
    url: str,
    deadline: Deadline | None = None,
    sink: Callable[[bytes], object] | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, bool]:
    """The body up to ``max_bytes`` (streamed to ``sink`` if given), before ``deadline``."""
    import httpx2

    total = _int(response.headers.get("content-length"))
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes(65536):
            room = max_bytes - size
            piece = chunk[:room]
            size += len(piece)
            if sink is not None:
                sink(piece)
            else:
                parts.append(piece)
            if progress is not None:
                progress(size, total)
            if len(chunk) > room or (size >= max_bytes and total and total > max_bytes):
                return b"".join(parts), True
    except httpx2.TimeoutException:
        if deadline is not None and deadline.passed:
            raise CommandError(_too_slow("reading", url, deadline)) from None
        raise CommandError(f"timed out reading {_shown(url)}") from None
    except httpx2.HTTPError as exc:
        raise CommandError(f"reading {_shown(url)} failed: {_reason(exc)}") from None
    return b"".join(parts), False


def _client(proxy: str | None, route: Route, deadline: Deadline) -> httpx2.Client:
    import httpx2

    if proxy:  # the proxy resolves the name, from its own network
        transport = httpx2.HTTPTransport(proxy=proxy, trust_env=False, http2=False)
    else:
        transport = _pinned_transport(route.guard)
    return httpx2.Client(
        transport=bound_by(transport, deadline),
        trust_env=False,
        timeout=route.timeout,
        follow_redirects=False,
    )


def _pinned_transport(guard: UrlGuard) -> httpx2.HTTPTransport:
    import httpx2

    class _PinnedTransport(httpx2.HTTPTransport):
        """Sends each request to an address the guard resolved and checked (TLS still checks
        the certificate against the host name), trying them in turn."""

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            url = request.url
            extensions = dict(request.extensions)
            if url.scheme == "https":
                extensions.setdefault("sni_hostname", url.host)
            failure: httpx2.ConnectError | None = None
            for address in guard.addresses(str(url)):
                pinned = httpx2.Request(
                    request.method,
                    url.copy_with(host=address),
                    headers=request.headers,
                    stream=request.stream,
                    extensions=extensions,
                )
                try:
                    return super().handle_request(pinned)
                except httpx2.ConnectError as exc:
                    failure = exc
            raise failure or httpx2.ConnectError(f"no address for {url.host}", request=request)

    return _PinnedTransport(http2=False)


def _send(
    client: httpx2.Client,
    request: httpx2.Request,
    *,
    proxy: str | None,
    timeout: float,
    deadline: Deadline,
) -> httpx2.Response:
    import httpx2

    url = _shown(str(request.url))
    via = f" through proxy {redact(proxy)}" if proxy else ""
    try:
        return client.send(request, stream=True)
    except httpx2.ProxyError as exc:
        raise CommandError(
            f"could not connect through proxy {redact(proxy or '?')}: "
            f"{_reason(exc)} (fetching {url})"
        ) from None
    except httpx2.ConnectTimeout:
        if proxy:
            raise CommandError(
                f"could not connect through proxy {redact(proxy)}: timed out "
                f"after {timeout:g} s (fetching {url})"
            ) from None
        raise CommandError(f"timed out after {timeout:g} s connecting to {url}") from None
    except httpx2.TimeoutException:
        if deadline.passed and deadline.setting:
            raise CommandError(_too_slow("waiting for", str(request.url), deadline)) from None
        raise CommandError(f"timed out after {timeout:g} s waiting for {url}{via}") from None
    except httpx2.ConnectError as exc:
        if proxy:
            raise CommandError(
                f"could not connect through proxy {redact(proxy)}: {_reason(exc)} (fetching {url})"
            ) from None
        raise CommandError(f"could not connect to {url}: {_reason(exc)}") from None
    except httpx2.HTTPError as exc:
        raise CommandError(f"fetching {url}{via} failed: {_reason(exc)}") from None


def raise_for_status(url: str, response: httpx2.Response, route: Route | None = None) -> None:
    proxy = route.proxy(str(response.url)) if route else None
    if response.status_code == 407 and proxy:
        raise CommandError(
            f"the proxy at {redact(proxy)} refused the credentials (407 Proxy Authentication "
            f"Required) while fetching {_shown(url)}: put the right user name and password in "
            "the proxy setting (http://user:password@host:port)"
        )
    if response.status_code >= 400:
        phrase = quote(response.reason_phrase or "", 100)  # the server chose it
        raise CommandError(f"{_shown(url)} answered HTTP {response.status_code} {phrase}".rstrip())


def _too_slow(doing: str, url: str, deadline: Deadline) -> str:
    setting = f" ({deadline.setting})" if deadline.setting else ""
    return (
        f"timed out after {deadline.seconds:g} s {doing} {_shown(url)}{setting}: "
        "the server answers too slowly"
    )


def _shown(url: str) -> str:
    return for_terminal(without_secrets(url))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    return for_terminal(text, 200)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
