"""The start-up screen's line about clone_repository: on or off, credentials set or not, and
never the token itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from autogpt.git.status import clone_status
from tests.web.conftest import make_settings


def _version() -> str:
    return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[2]


def test_with_git_and_a_token_it_says_on_and_where_the_token_goes() -> None:
    line = clone_status(make_settings(github_api_key="ghp_secret123456", github_hosts="github.com"))
    assert line == f"Cloning: on (git {_version()}); GitHub credentials set for github.com"
    assert "ghp_secret" not in line


def test_without_a_token_it_says_so() -> None:
    assert clone_status(make_settings()) == (
        f"Cloning: on (git {_version()}); no GitHub credentials (GITHUB_API_KEY not set)"
    )


def test_without_git_it_says_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert clone_status(make_settings()) == "Cloning: off (git is not installed)"
