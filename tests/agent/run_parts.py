"""An agent built in-process from its real parts, for the cycle's unit tests: the real openai
client over HTTP to the scripted server, a real journal, workspace and command registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogpt.agent.authorize import Authorizer
from autogpt.agent.cycle import Agent
from autogpt.agent.events import Shown
from autogpt.agent.limits import Limits
from autogpt.agent.model_calls import ModelCalls, ModelSetup
from autogpt.agent.recorder import Recorder
from autogpt.agent.state import RunState
from autogpt.commands import load_command_modules
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import Registry
from autogpt.config.ai_profile import AIProfile
from autogpt.config.settings import Settings
from autogpt.events import Started
from autogpt.journal.journal import Journal
from autogpt.llm import catalog
from autogpt.llm.client import OpenAIModelClient
from autogpt.prompt.system import build_system_prompt
from autogpt.workspace import Workspace

PROFILE = AIProfile(ai_name="Tester", ai_role="tests the cycle", ai_goals=["write a.txt"])


@dataclass
class Parts:
    agent: Agent
    journal: Journal
    state: RunState
    shown: list[Shown] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)


def build(
    tmp_path: Path,
    base_url: str,
    *,
    state: RunState | None = None,
    continuous: bool = True,
    window: int = 4000,
    budget: float = 0.0,
    tool_mode: bool = False,
    answers: list[str] | None = None,
    live: bool = True,
) -> Parts:
    """A new session (``state`` None) or one resumed from a replayed state, in ``tmp_path``."""
    settings = Settings(
        _env_file=None,
        openai_api_key="sk-test",
        openai_api_base=base_url,
        openai_max_retries=0,
        execution_backend="off",
        memory_backend="no_memory",
        # The core's tests size their windows to the core's commands: helper agents' four
        # schemas would leave the history less room than the tests were written for.
        max_helper_agents=0,
    )
    info = catalog.lookup("gpt-3.5-turbo", fallback_window=window)
    limits = Limits.compute(main=info, main_limit=window, fast=info, fast_limit=window)
    workspace = Workspace(str(tmp_path / "ws"))
    workspace.ensure()
    registry = Registry.from_modules(load_command_modules())
    ctx = CommandContext(
        workspace=workspace, settings=settings, result_budget_tokens=limits.result_tokens
    )
    journal = Journal(tmp_path / "session")
    resumed = state is not None
    state = state or RunState()
    shown: list[Shown] = []
    record = Recorder(journal, state, shown.append)
    if not resumed:
        options: dict[str, Any] = {"budget": budget, "tool_mode": tool_mode}
        record(Started(profile=PROFILE.to_dict(), options=options, workspace="ws", model="m"))
    calls = ModelCalls(
        models=ModelSetup(info, info),
        limits=limits,
        client=OpenAIModelClient(settings),
        record=record,
        state=state,
        show=shown.append,
        live=live,
    )
    ctx.count_tokens = calls.counter.text
    given = list(answers or [])

    def ask(question: str) -> str:
        return given.pop(0)

    agent = Agent(
        ai_name=PROFILE.ai_name,
        system_for=lambda tools: build_system_prompt(
            PROFILE, registry.available(ctx), token_limit=window, tool_mode=tools
        ),
        calls=calls,
        registry=registry,
        ctx=ctx,
        record=record,
        authorizer=Authorizer(continuous=continuous),
        show=shown.append,
        ask=ask,
    )
    return Parts(agent, journal, state, shown, given)
