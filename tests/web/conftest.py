"""Fixtures for the web tests: the local site, settings, command contexts, one shared browser.

The browser is started once per test module (``browser_resources``) and closed at the end, when
the module also checks that no process of it is left.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.commands.context import CommandContext, RunResources
from autogpt.config.settings import Settings
from autogpt.web.browser import Browser
from autogpt.web.page import BROWSER_KEY
from autogpt.web.processes import browser_processes
from autogpt.workspace import Workspace
from tests.support.model_server import ModelServer
from tests.support.system import need
from tests.web.site import Site


def the_browser(resources: RunResources) -> Browser:
    """The run's browser; fails the test if none was started or it could not start."""
    browser = resources.get(BROWSER_KEY)
    assert isinstance(browser, Browser), browser
    return browser


def make_settings(**values: Any) -> Settings:
    values.setdefault("browse_page_timeout", 10)
    return Settings(_env_file=None, **values)


def make_ctx(
    tmp_path: Path,
    settings: Settings,
    *,
    resources: RunResources | None = None,
    ask_model: Callable[[list[dict[str, str]], int], str] | None = None,
    notes: list[str] | None = None,
    budget: int = 1000,
) -> CommandContext:
    workspace = Workspace(tmp_path / "ws")
    workspace.ensure()
    return CommandContext(
        workspace=workspace,
        settings=settings,
        ask_model=ask_model,
        result_budget_tokens=budget,
        notify=(notes.append if notes is not None else lambda message: None),
        resources=resources or RunResources(),
    )


def helper_model(server: ModelServer, **settings: Any) -> Callable[..., str]:
    """``ctx.ask_model`` as the session wires it: the real client against the scripted server."""
    from autogpt.llm.client import OpenAIModelClient
    from autogpt.llm.types import ChatRequest

    client = OpenAIModelClient(
        make_settings(
            openai_api_base=server.base_url,
            openai_api_key="sk-test",
            openai_max_retries=0,
            **settings,
        )
    )

    def ask_model(messages: list[dict[str, str]], max_tokens: int) -> str:
        reply = client.complete(
            ChatRequest(
                model="gpt-3.5-turbo", messages=messages, max_tokens=max_tokens, purpose="helper"
            )
        )
        return reply.text or ""

    return ask_model


def need_chromium() -> None:
    need(shutil.which("chromedriver") is not None, "chromium-driver not installed")


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as running:
        yield running


@pytest.fixture(scope="module")
def browser_resources() -> Iterator[RunResources]:
    """One browser for the module's tests (no proxy); closed, and checked gone, at the end."""
    need_chromium()
    resources = RunResources()
    yield resources
    browser = resources.get("web.browser")
    resources.close_all()
    if browser is not None and not isinstance(browser, str):
        assert browser_processes(str(browser.profile_dir)) == []
