"""One clone: the URL checked, git run in our environment under the caps, its failure told in
one line, the result moved into place only when whole.

git clones into a hidden folder beside the target (``.clone-NAME-XXXX``), which is removed on any
failure, so a stopped clone never leaves half a repository under the name the model asked for.
The dumb HTTP protocol (a static file server) cannot clone shallow: then the clone is repeated
with the whole history, under the same caps.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex
from urllib.parse import urlsplit

from autogpt.config.proxy import proxy_setting
from autogpt.config.proxy import redact as redact_proxy
from autogpt.config.settings import Settings
from autogpt.errors import CommandError
from autogpt.git.environment import credentials_for, git_environment, redact, secrets_of
from autogpt.git.process import GitRun, run_capped
from autogpt.web.untrusted import for_terminal, without_secrets
from autogpt.web.urlguard import ALLOWED_SCHEMES, UrlGuard

log = logging.getLogger(__name__)
_HTTP_ERROR = re.compile(r"(?:returned error|HTTP code):? (\d{3})")


@dataclass(frozen=True)
class Cloned:
    url: str
    path: Path
    size: int
    shallow: bool
    authenticated: bool
    notes: tuple[str, ...] = ()


def check_clone_url(url: str) -> str:
    """No user name or password in an http(s) URL (credentials come from the settings); other
    schemes are left for the URL guard to refuse."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return url
    if parts.username is not None or parts.password is not None:
        raise CommandError(
            "clone_repository: give the URL without a user name or password; "
            "the user's GITHUB_USERNAME and GITHUB_API_KEY are used when they are set"
        )
    return url


@dataclass(frozen=True)
class ClonePlan:
    """Where a clone goes and how, decided before anything is sent or written."""

    url: str
    proxy_setting: tuple[str, str] | None
    """(variable, proxy URL) the settings chose for the URL, or None: direct."""
    pinned: tuple[str, ...]
    """The addresses the guard checked (direct only): git connects to these."""
    credentials: tuple[str, str] | None

    @property
    def proxy(self) -> str | None:
        return self.proxy_setting[1] if self.proxy_setting else None


def plan_clone(settings: Settings, url: str) -> ClonePlan:
    """The URL checked (scheme, no user name in it, the address guard), the proxy chosen and the
    credentials picked; a :class:`CommandError` says why a URL is refused."""
    url = check_clone_url(url)
    chosen = proxy_setting(url, settings)
    guard = UrlGuard.from_settings(settings)
    pinned: list[str] = []
    if chosen:
        url = guard.check(url, via_proxy=True)
    else:
        pinned = guard.addresses(url)
    return ClonePlan(url, chosen, tuple(pinned), credentials_for(url, settings))


def clone(settings: Settings, plan: ClonePlan, target: Path) -> Cloned:
    """Clone into ``target`` (absent or an empty folder), or raise a :class:`CommandError`
    saying why not; nothing is left behind on failure."""
    url, proxy, credentials = plan.url, plan.proxy, plan.credentials
    secrets = secrets_of(credentials, proxy)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".clone-{target.name[:40]}-{token_hex(4)}"
    staging.mkdir()  # not mkdtemp: the clone gets the folder mode the user's umask gives
    notes: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="autogpt-git-") as home_dir:
            home = Path(home_dir)
            env = git_environment(
                url, home=home, proxy=proxy, pinned=plan.pinned, credentials=credentials
            )
            depth = settings.clone_depth
            deadline = time.monotonic() + settings.clone_timeout
            run = _run(url, staging, env, home, depth, deadline, settings)
            if run.returncode != 0 and depth and "does not support shallow" in run.messages:
                notes.append("the server cannot clone shallow (dumb HTTP): whole history cloned")
                depth = 0
                run = _run(url, staging, env, home, depth, deadline, settings)
        if run.returncode != 0 or run.stopped:
            failure = _failure(run, plan, settings, secrets)
            raise CommandError(failure.replace(str(staging), target.name))
        _scrub(staging, secrets)
        if target.exists():
            target.rmdir()  # an empty folder (checked by the caller)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Cloned(
        url=url,
        path=target,
        size=run.size,
        shallow=depth > 0,
        authenticated=credentials is not None,
        notes=tuple(notes),
    )


def _run(
    url: str,
    staging: Path,
    env: dict[str, str],
    home: Path,
    depth: int,
    deadline: float,
    settings: Settings,
) -> GitRun:
    for leftover in staging.iterdir():  # a first, shallow try
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    args = ["git", "clone", "--template=", "--no-tags"]
    args += [f"--depth={depth}"] if depth else []
    args += ["--", url, str(staging)]
    return run_capped(
        args,
        env=env,
        cwd=home,
        watch=staging,
        messages=home / "git-messages.txt",
        timeout=max(deadline - time.monotonic(), 0.1),
        max_bytes=settings.clone_max_bytes,
    )


def _scrub(folder: Path, secrets: list[str]) -> None:
    """A second guard: no secret in the clone's own config (git wrote the plain URL there)."""
    config = folder / ".git" / "config"
    if secrets and config.is_file():
        text = config.read_text("utf-8", errors="replace")
        if any(s in text for s in secrets):
            config.write_text(redact(text, secrets), "utf-8")


def _failure(run: GitRun, plan: ClonePlan, settings: Settings, secrets: list[str]) -> str:
    """One line for the model: what went wrong and, where there is one, what changes it."""
    url, chosen, authenticated = plan.url, plan.proxy_setting, plan.credentials is not None
    shown = for_terminal(without_secrets(url), 200)
    if run.stopped == "timeout":
        return (
            f"clone of {shown} stopped after {settings.clone_timeout:g} seconds "
            "(CLONE_TIMEOUT); nothing was kept"
        )
    if run.stopped == "too_big":
        return (
            f"clone of {shown} stopped: larger than CLONE_MAX_BYTES "
            f"({settings.clone_max_bytes} bytes); nothing was kept"
        )
    text = redact(run.messages, secrets)
    log.info("git clone of %s failed: %s", shown, text.strip()[-1000:])
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = next((ln for ln in reversed(lines) if ln.startswith(("fatal:", "error:"))), "")
    status = _HTTP_ERROR.search(text)
    code = int(status.group(1)) if status else 0
    proxied = f" through the proxy from {chosen[0]} ({redact_proxy(chosen[1])})" if chosen else ""
    if chosen and code == 407:
        return (
            f"clone of {shown} failed: the proxy from {chosen[0]} ({redact_proxy(chosen[1])}) "
            "refused its user name and password (HTTP 407)"
        )
    if "from proxy" in text or "proxy" in fatal.lower():
        return f"clone of {shown} failed{proxied}: {for_terminal(fatal, 200)}"
    if code == 404 or "not found" in fatal:
        return f"no repository at {shown} (HTTP 404): check the URL"
    if code in (401, 403) or "could not read Username" in text or "Authentication" in text:
        if authenticated:
            return (
                f"authentication failed at {shown}: the server refused GITHUB_USERNAME / "
                "GITHUB_API_KEY (the user can check the token and its access)"
            )
        return (
            f"{shown} needs authentication (a private repository, or it does not exist); "
            "GITHUB_API_KEY is not set for this host (GITHUB_HOSTS)"
        )
    if 300 <= code < 400:
        return (
            f"{shown} redirected (HTTP {code}); redirects are not followed: "
            "use the repository's current URL"
        )
    if "Could not resolve host" in text:
        return f"could not resolve the host of {shown}"
    if "Failed to connect" in text or "Connection refused" in text or "timed out" in text:
        return f"could not connect to {shown}{proxied}"
    detail = for_terminal(fatal or (lines[-1] if lines else f"exit code {run.returncode}"), 300)
    return f"clone of {shown} failed: {detail}"
