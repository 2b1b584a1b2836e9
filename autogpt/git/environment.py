"""The environment ``git`` runs in: nothing of the user's git setup, only what we choose.

``git`` reads the system's and the user's config (aliases, credential helpers, ``core.hooksPath``,
``url.<base>.insteadOf`` rewrites), ``GIT_*`` variables and the proxy variables. None of that
reaches a clone: the environment is built from scratch, with an empty ``HOME`` and every setting
passed as ``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` variables, never as arguments (the
process list shows arguments to every user; the environment only to us). That is also how the
proxy (its password too) and the credentials' ``Authorization`` header get to git.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from autogpt.config.settings import Settings
from autogpt.web.urlguard import origin

SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    # only http(s), for the clone and anything it could lead to (submodules, bundles)
    ("protocol.allow", "never"),
    ("protocol.http.allow", "always"),
    ("protocol.https.allow", "always"),
    # a redirect could lead anywhere: the URL guard saw only the first URL
    ("http.followRedirects", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.fsmonitor", "false"),
    ("credential.helper", ""),
    ("submodule.recurse", "false"),
    ("advice.detachedHead", "false"),
)


def credential_origin(entry: str) -> str:
    """A ``GITHUB_HOSTS`` entry as an origin: ``github.com`` is ``https://github.com:443``; an
    entry with a scheme (``http://10.0.0.5:8080``) is that origin exactly."""
    entry = entry.strip().rstrip("/")
    return origin(entry if "://" in entry else f"https://{entry}")


def credentials_for(url: str, settings: Settings) -> tuple[str, str] | None:
    """(user, token) when ``GITHUB_API_KEY`` is set and ``url``'s origin is one of
    ``GITHUB_HOSTS``; the token goes nowhere else (a model can be talked into any URL)."""
    if settings.github_api_key is None:
        return None
    if origin(url) not in {credential_origin(e) for e in settings.github_hosts if e.strip()}:
        return None
    user = settings.github_username or "x-access-token"
    return user, settings.github_api_key.get_secret_value()


def basic_header(user: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode("ascii")


def git_environment(
    url: str,
    *,
    home: Path,
    proxy: str | None,
    pinned: Sequence[str] = (),
    credentials: tuple[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment of the ``git`` process for cloning ``url``.

    ``proxy``: the proxy URL the settings chose for ``url`` (None: direct). ``pinned``: the
    addresses the URL guard checked, which git then connects to (``http.curloptResolve``), so
    the name cannot resolve to something else between the check and the connection.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C",
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
    }
    config = list(SAFE_CONFIG)
    if proxy:
        config.append(("http.proxy", proxy))
    else:
        config.append(("http.proxy", ""))
    parts = urlsplit(url)
    if pinned and not proxy and parts.hostname:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname.strip("[]")
        config.append(("http.curloptResolve", f"{host}:{port}:{','.join(pinned)}"))
    if credentials:
        scope = f"{parts.scheme}://{parts.netloc}/"
        config.append((f"http.{scope}.extraHeader", f"Authorization: {basic_header(*credentials)}"))
    env["GIT_CONFIG_COUNT"] = str(len(config))
    for index, (key, value) in enumerate(config):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def secrets_of(credentials: tuple[str, str] | None, proxy: str | None) -> list[str]:
    """What must never be shown from git's messages: the token, its header form, the user name
    with it, the proxy's password."""
    found: list[str] = []
    if credentials:
        user, token = credentials
        found += [basic_header(user, token).split(" ", 1)[1], token]
        if len(user) >= 3 and user != "x-access-token":
            found.append(user)
    if proxy:
        password = urlsplit(proxy).password
        if password:
            found.append(password)
    return [s for s in found if s]


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
