"""Which proxy a request goes through: one reading of ``HTTP(S)_PROXY``, ``ALL_PROXY`` and
``NO_PROXY`` for every client (the model client, page reads, search, the browser's guard proxy).

Each library has its own idea of ``NO_PROXY`` (urllib knows no CIDR ranges, httpx no ports), so
none of them reads the environment: each is handed the proxy ``proxy_for`` chose. ``export``
still copies the settings into the process environment once at start-up, for libraries that
only read it there.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit, urlunsplit

from autogpt.config.settings import Settings

_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def export(settings: Settings) -> None:
    for name in _NAMES:
        value = getattr(settings, name)
        if value:
            os.environ[name.upper()] = value
            os.environ[name] = value


def proxy_for(url: str, settings: Settings) -> str | None:
    """The proxy a request to ``url`` goes through, or None (NO_PROXY honoured)."""
    chosen = proxy_setting(url, settings)
    return chosen[1] if chosen else None


def proxy_setting(url: str, settings: Settings) -> tuple[str, str] | None:
    """``(variable, proxy URL)`` for a request to ``url`` (``("HTTPS_PROXY", "http://…")``), or
    None when it goes direct; the variable is named in messages about that proxy."""
    if bypasses(url, settings.no_proxy):
        return None
    name = "https_proxy" if urlsplit(url).scheme == "https" else "http_proxy"
    for field in (name, "all_proxy"):
        value = getattr(settings, field)
        if value:
            return field.upper(), value
    return None


def bypasses(url: str, no_proxy: str | None) -> bool:
    """True when ``no_proxy`` sends ``url`` direct. Entries, comma- or space-separated, any case:
    ``*``; a name, which also covers its subdomains (``example.com``, ``.example.com``,
    ``*.example.com``); an IP address or CIDR range (``127.0.0.0/8``, ``::1``, ``[::1]``,
    ``fd00::/8``); a name or address with ``:port``, which covers that port only."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        port = None
    address = _address(host)
    for entry in (no_proxy or "").replace(" ", ",").split(","):
        entry = entry.strip().lower()
        if entry == "*":
            return True
        if entry and _matches(entry, host, port, address):
            return True
    return False


def _matches(
    entry: str, host: str, port: int | None, address: ipaddress._BaseAddress | None
) -> bool:
    if "://" in entry:  # "http://example.com:8080", as some tools write it
        entry = entry.split("://", 1)[1].rstrip("/")
    if "/" in entry:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
        return address is not None and address.version == network.version and address in network
    name, entry_port = _split_port(entry)
    if entry_port is not None and entry_port != port:
        return False
    entry_address = _address(name)
    if entry_address is not None or address is not None:
        return entry_address is not None and entry_address == address
    name = name.removeprefix("*").lstrip(".").rstrip(".")
    return bool(name) and (host == name or host.endswith("." + name))


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port``, ``[v6]:port``, ``[v6]``, bare ``v6`` (two or more colons: no port)."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ""
    elif entry.count(":") == 1:
        name, _, port_text = entry.partition(":")
    else:
        return entry, None
    if not port_text:
        return name, None
    return (name, int(port_text)) if port_text.isdigit() else ("", -1)


def _address(text: str) -> ipaddress._BaseAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def redact(url: str) -> str:
    """A proxy URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
