"""Which URLs the agent may reach: http(s) only, and no local or private addresses by default.

A web page or the model could otherwise point the agent at the user's router, a local admin page,
or the cloud metadata service (169.254.169.254). Every URL, and every redirect hop, is checked:
the scheme, then every address the host resolves to. ``ALLOW_PRIVATE_URLS=true`` lifts the
address check; the user's own ``SEARXNG_URL`` is always allowed. When a request goes through a
proxy and the host does not resolve here, the proxy resolves it: only names and literal
addresses that resolve here are judged.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from autogpt.errors import CommandError

ALLOWED_SCHEMES = ("http", "https")
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
HINT = "set ALLOW_PRIVATE_URLS=true to allow local addresses"

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(CommandError):
    """The URL may not be fetched; the message says why and what setting changes it."""


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def describe_address(ip: IPAddress) -> str | None:
    """Why an address is off limits ("a loopback address"), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "the cloud metadata address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address (it reaches this machine)"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return "a non-public address"
    return None


def origin(url: str) -> str:
    """``scheme://host:port`` with the default port spelled out."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


@dataclass(frozen=True)
class UrlGuard:
    allow_private: bool = False
    always_allowed: frozenset[str] = field(default_factory=frozenset)
    """Origins (see :func:`origin`) allowed whatever they resolve to: the user's SearXNG."""
    resolve: Resolver = _system_resolve

    @classmethod
    def from_settings(cls, settings: object, **kwargs: object) -> UrlGuard:
        allowed: Iterable[str] = ()
        searxng = getattr(settings, "searxng_url", None)
        if searxng:
            allowed = (origin(searxng),)
        return cls(
            allow_private=bool(getattr(settings, "allow_private_urls", False)),
            always_allowed=frozenset(allowed),
            **kwargs,  # type: ignore[arg-type]
        )

    def check(
        self, url: str, *, via_proxy: bool = False, redirected_from: str | None = None
    ) -> str:
        """The URL, stripped, if it may be fetched; else :class:`UrlRefused` saying why."""
        url = url.strip()
        self._vet(url, via_proxy=via_proxy, redirected_from=redirected_from, resolve=False)
        return url

    def addresses(self, url: str) -> list[str]:
        """The addresses to connect to for ``url`` (no proxy), every one checked.

        Connecting to these rather than resolving the name again leaves no window in which the
        name could turn into a local address between the check and the connection.
        """
        return self._vet(url.strip(), via_proxy=False, redirected_from=None, resolve=True)

    def _vet(
        self, url: str, *, via_proxy: bool, redirected_from: str | None, resolve: bool
    ) -> list[str]:
        prefix = (
            f"refused: {redirected_from} redirected to {url}: "
            if redirected_from
            else ("refused: ")
        )
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            shown = f"'{scheme}:' URLs are" if scheme else "URLs without http:// or https:// are"
            raise UrlRefused(f"{prefix}{shown} not allowed; only http and https")
        try:
            host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise UrlRefused(f"{prefix}malformed URL ({exc})") from None
        if not host:
            raise UrlRefused(f"{prefix}the URL has no host name")
        if self.allow_private or origin(url) in self.always_allowed:
            return self._resolve(host, port) if resolve else []
        return self._check_host(host, port, prefix=prefix, via_proxy=via_proxy)

    def _check_host(self, host: str, port: int, *, prefix: str, via_proxy: bool) -> list[str]:
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            reason = describe_address(literal)
            if reason:
                raise UrlRefused(f"{prefix}{literal} is {reason}; {HINT}")
            return [str(literal)]
        addresses = self._resolve(host, port, via_proxy=via_proxy)
        for address in addresses:
            reason = describe_address(ipaddress.ip_address(address.split("%", 1)[0]))
            if reason:
                raise UrlRefused(f"{prefix}{host} resolves to {address}, {reason}; {HINT}")
        return addresses

    def _resolve(self, host: str, port: int, *, via_proxy: bool = False) -> list[str]:
        """The addresses of ``host`` (a literal address is its own); [] when it does not
        resolve here but a proxy will resolve it, from its own network."""
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            return self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            if via_proxy:
                return []
            raise CommandError(f"could not resolve host {host} ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
