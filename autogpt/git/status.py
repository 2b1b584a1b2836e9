"""The start-up screen's line about cloning: whether ``clone_repository`` is on, and whether
the GitHub credentials are set (never their value)."""

from __future__ import annotations

import shutil
import subprocess

from autogpt.config.settings import Settings


def git_version() -> str | None:
    """``2.39.5``, or None when git is missing or does not answer."""
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(
            ["git", "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    words = done.stdout.split()
    return words[2] if done.returncode == 0 and len(words) >= 3 else None


def clone_status(settings: Settings) -> str:
    version = git_version()
    if version is None:
        return "Cloning: off (git is not installed)"
    hosts = ", ".join(h.strip() for h in settings.github_hosts if h.strip()) or "no host"
    if settings.github_api_key is None:
        credentials = "no GitHub credentials (GITHUB_API_KEY not set)"
    else:
        credentials = f"GitHub credentials set for {hosts}"
    return f"Cloning: on (git {version}); {credentials}"
