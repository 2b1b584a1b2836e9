"""Shared fixtures: a clean environment for every test, the scripted model server, a workspace.

``env`` (autouse) removes whatever the developer's shell could leak into a test — OpenAI and
Azure variables, proxies, every autogpt setting — points tiktoken at ``../shared/tiktoken``, and
runs the test in its own ``tmp_path`` (so no stray ``.env`` is read and ``logs/`` lands there).
``model_server`` is a started :class:`ModelServer` with an empty script; at teardown it fails the
test if the script was not used up, was overrun, or a request was one OpenAI would refuse.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.model_server import ModelServer
from tests.support.token_count import tiktoken_cache_dir

# Names the settings may read, beyond Settings' own fields (added when they can be imported).
LEAKY_NAMES = {
    "OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
    "OPENAI_ORGANIZATION", "OPENAI_LOG", "OPENAI_API_TYPE", "OPENAI_API_VERSION",
    "FAST_LLM_MODEL", "SMART_LLM_MODEL", "FAST_TOKEN_LIMIT", "SMART_TOKEN_LIMIT", "TEMPERATURE",
    "EMBEDDING_MODEL", "MEMORY_BACKEND", "MEMORY_INDEX", "EXECUTION_BACKEND",
    "EXECUTE_LOCAL_COMMANDS", "RESTRICT_TO_WORKSPACE", "WORKSPACE_PATH", "AI_SETTINGS_FILE",
    "API_BUDGET", "DATABASE_URL",
    "GOOGLE_API_KEY", "CUSTOM_SEARCH_ENGINE_ID", "USE_WEB_BROWSER", "HEADLESS_BROWSER",
    "BROWSE_CHUNK_MAX_LENGTH", "SEARCH_BACKEND", "SEARXNG_URL", "AUTOGPT_DATA_DIR",
    "ALLOW_DOWNLOADS", "SHELL_COMMAND_CONTROL", "SHELL_ALLOWLIST", "SHELL_DENYLIST",
}  # fmt: skip
LEAKY_PREFIXES = ("OPENAI_", "AZURE_OPENAI_")
KEPT = {"PATH", "HOME", "TMPDIR", "LANG", "TERM", "PYTHONPATH", "AUTOGPT_REQUIRE_ALL_TESTS"}
NO_PROXY = "127.0.0.1,localhost"

# A test runner started in the background by a shell without job control inherits SIGINT
# ignored, and so would every agent a test starts (Python then installs no Ctrl-C handler): the
# Ctrl-C tests need what a terminal gives, so the runner takes the default back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@cache
def _settings_names() -> frozenset[str]:
    """Every environment name the Settings class reads (upper-cased), if it imports."""
    try:
        from autogpt.config.settings import Settings
    except ImportError:
        return frozenset()
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        names.add(name.upper())
        alias = field.validation_alias
        choices = getattr(alias, "choices", [alias] if isinstance(alias, str) else [])
        names.update(choice.upper() for choice in choices if isinstance(choice, str))
    return frozenset(names)


def _leaks(name: str) -> bool:
    upper = name.upper()
    return upper not in KEPT and (
        upper in LEAKY_NAMES
        or upper in _settings_names()
        or upper.startswith(LEAKY_PREFIXES)
        or upper.endswith("_PROXY")
    )


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment in a fresh working directory; returns the monkeypatch to add more."""
    for name in list(os.environ):
        if _leaks(name):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", NO_PROXY)
    monkeypatch.setenv("no_proxy", NO_PROXY)
    cache_dir = tiktoken_cache_dir()
    if cache_dir:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", cache_dir)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def model_server_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., ModelServer]]:
    """``start(*steps, context_window=..., tools_supported=..., api_key=...) -> ModelServer``;
    every server started is closed and checked with ``assert_complete()`` at teardown (the check
    is skipped when the test itself already failed, to keep its report readable)."""
    servers: list[ModelServer] = []

    def start(*steps: Any, **options: Any) -> ModelServer:
        server = ModelServer(steps, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
    if not request.node.stash.get(_CALL_FAILED, False):
        for server in servers:
            server.assert_complete()


@pytest.fixture
def model_server(model_server_factory: Callable[..., ModelServer]) -> ModelServer:
    """A started scripted server with an empty script: ``model_server.add(reply("..."))``."""
    return model_server_factory()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """``tmp_path / "auto_gpt_workspace"``, created; the default workspace of the test's cwd."""
    path = tmp_path / "auto_gpt_workspace"
    path.mkdir()
    return path
