"""Proxy settings from `.env` reach every HTTP library through the process environment.

pydantic-settings reads `.env` but does not export it; HTTP libraries (httpx, requests, ddgs)
read ``HTTP(S)_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` from ``os.environ``. ``export`` copies the
settings there once at start-up (the real environment already won inside Settings).
"""

from __future__ import annotations

import os
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from autogpt.config.settings import Settings

_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def export(settings: Settings) -> None:
    for name in _NAMES:
        value = getattr(settings, name)
        if value:
            os.environ[name.upper()] = value
            os.environ[name] = value


def proxy_for(url: str, settings: Settings) -> str | None:
    """The proxy a request to ``url`` goes through, or None (NO_PROXY honoured)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if settings.no_proxy:
        saved = os.environ.get("no_proxy")
        os.environ["no_proxy"] = settings.no_proxy
        try:
            if urllib.request.proxy_bypass_environment(host):
                return None
        finally:
            if saved is None:
                os.environ.pop("no_proxy", None)
            else:
                os.environ["no_proxy"] = saved
    scheme_proxy = settings.https_proxy if parts.scheme == "https" else settings.http_proxy
    return scheme_proxy or settings.all_proxy


def redact(url: str) -> str:
    """A proxy URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
