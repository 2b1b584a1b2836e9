"""One session of the agent, new or resumed: settings, profile, workspace, model, journal, loop.

Reads the flags, builds every object once and hands them to :mod:`autogpt.agent`. The terminal is
reached only through ``console`` (printing, asking) passed to the agent as ``show`` and ``ask``.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogpt import logs, shutdown
from autogpt.agent.authorize import Authorizer
from autogpt.agent.budget import price_check
from autogpt.agent.cycle import Agent, Ask
from autogpt.agent.events import Notice, Show, Shown, Thinking
from autogpt.agent.helper_agents import open_helper_agents
from autogpt.agent.model_calls import ModelCalls
from autogpt.agent.recorder import Recorder
from autogpt.agent.run import run
from autogpt.agent.state import RunState
from autogpt.commands import load_command_modules
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import Registry
from autogpt.config import proxy
from autogpt.config.ai_profile import DEFAULT_NAME, DEFAULT_ROLE, AIProfile
from autogpt.config.launcher import resume_command
from autogpt.config.legacy import migration_notes
from autogpt.config.settings import Settings, load_settings
from autogpt.events import QuirkLearnt, Resumed, Started
from autogpt.git.status import clone_status
from autogpt.journal import resume as resuming
from autogpt.journal.journal import REPORT, Journal, new_session_id, sessions_dir
from autogpt.journal.report import save_workspace_snapshot, write_report
from autogpt.llm import catalog, tokens
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.quirks import Quirks, describe
from autogpt.mcp.startup import McpServers
from autogpt.prompt.system import build_system_prompt
from autogpt.session_images import open_images
from autogpt.session_memory import open_memory
from autogpt.session_model import (
    choose_tool_mode,
    ensure_api_key,
    model_setup,
    wait_notice,
)
from autogpt.session_permissions import load_policy
from autogpt.session_screen import announce, farewell
from autogpt.speech.listener import with_speech
from autogpt.ui.console import Console
from autogpt.ui.jsonl import JsonLines
from autogpt.ui.render import Renderer
from autogpt.ui.setup import obtain_profile, show_profile
from autogpt.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    """What a session is run with; saved in the journal so ``--resume`` can reuse it."""

    continuous: bool = False
    continuous_limit: int = 0
    model_choice: str = "fast"  # "fast" (default, --gpt3only) or "smart" (--gpt4only)
    workspace: str = "auto_gpt_workspace"
    budget: float = 0.0
    tool_mode: bool | None = None
    speak: bool = False
    """--speak: a resumed run speaks again without the flag."""


@dataclass(frozen=True)
class Driver:
    """A program that drives the session instead of the terminal (the Agent Protocol server,
    ``autogpt/serve/``): the agent's events go to its ``show`` and its questions to its
    ``ask``, and the continuous limit caps the session's cycles between answers too."""

    show: Show
    ask: Ask


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "ai_settings_file": args.ai_settings,
        "workspace_path": args.workspace_directory,
        "memory_backend": args.use_memory,
        "api_budget": args.budget,
        "allow_downloads": True if args.allow_downloads else None,
    }


def start(args: argparse.Namespace, console: Console, sink: JsonLines | None = None) -> int:
    """``sink``: the JSON-lines output (``--output-format jsonl``), told every event."""
    settings = load_settings(**overrides_from(args))
    for note in migration_notes():
        console.warn(note)
    mcp = McpServers.from_settings(settings)  # MCP servers (issue J): their secrets hidden too
    secrets = settings.secret_values() + mcp.secrets
    logs.setup(debug=args.debug, secrets=secrets)
    proxy.export(settings)
    tokens.preload(catalog.encoding(settings.fast_llm_model))
    data_dir = settings.data_dir
    if args.list_sessions:
        resuming.print_sessions(console, data_dir)
        return 0
    mcp.start(console.warn)  # MCP servers (issue J): start now, in parallel, waited for below
    settings = ensure_api_key(settings, console)

    if args.resume:
        loaded = resuming.load_session(data_dir, args.resume)
        if loaded.state.finished:
            console.info(f"Session {loaded.session_id} already finished: {loaded.state.end_reason}")
            return 0
        profile = loaded.profile
        options = RunOptions(**loaded.options)
        if args.continuous_limit:
            options.continuous_limit = args.continuous_limit
        if args.budget is not None:
            options.budget = args.budget
        options.speak = options.speak or getattr(args, "speak", False)
        folder = loaded.folder
        console.info(f"Resuming session {loaded.session_id} at cycle {loaded.state.cycle}.")
        if loaded.torn:
            console.warn(
                "The journal's last line was cut (the run was killed mid-write); "
                "it was loaded up to the last whole record."
            )
    else:
        profile = _profile_for(args, console, settings)
        options = RunOptions(
            continuous=args.continuous,
            continuous_limit=args.continuous_limit or 0,
            model_choice="smart" if args.gpt4only else "fast",
            workspace=settings.workspace_path,
            budget=args.budget
            if args.budget is not None
            else (settings.api_budget or profile.api_budget),
            speak=getattr(args, "speak", False),
        )
        folder = sessions_dir(data_dir) / new_session_id()
        loaded = None
    return run_session(
        args, console, settings, profile, options, folder, loaded, secrets, sink=sink, mcp=mcp
    )


def run_session(
    args: argparse.Namespace,
    console: Console,
    settings: Settings,
    profile: AIProfile,
    options: RunOptions,
    folder: Path,
    loaded: resuming.LoadedSession | None,
    secrets: list[str],
    *,
    sink: JsonLines | None = None,
    driver: Driver | None = None,
    mcp: McpServers | None = None,
) -> int:
    if args.gpt3only:
        options.model_choice = "fast"
    permissions = load_policy(settings, console, granted=loaded.state.granted if loaded else ())
    state = loaded.state if loaded else RunState()
    quirks = Quirks.from_dict(state.quirks)
    models, limits = model_setup(settings, options.model_choice)
    if models.main.name in quirks.context_windows:  # the window the endpoint stated
        limits = limits.with_window(quirks.context_windows[models.main.name], models.main)
    unpriced = price_check([models.main, models.fast], options.budget)
    if unpriced:
        console.warn(unpriced)

    workspace = Workspace(options.workspace, restrict=settings.restrict_to_workspace)
    workspace.ensure()
    if not settings.restrict_to_workspace:
        console.warn(
            "RESTRICT_TO_WORKSPACE=False: the agent may read and write files anywhere "
            "your user can."
        )
    registry = Registry.from_modules(load_command_modules())
    ctx = CommandContext(
        workspace=workspace,
        settings=settings,
        notify=console.info,
        result_budget_tokens=limits.result_tokens,
        helper_window=limits.fast_window,
    )
    if mcp is not None:
        mcp.register(registry, ctx, info=console.info, warn=console.warn)  # MCP tools (issue J)
    if options.tool_mode is None:
        schemas = json.dumps([spec.tool() for spec in registry.available(ctx)])
        options.tool_mode = choose_tool_mode(
            settings, models.main, limits.main_window, schema_tokens=len(schemas) // 3
        )

    def learnt(name: str, value: Any) -> None:  # an endpoint quirk (llm/quirks.py), kept
        record(QuirkLearnt(name=name, value=value))
        console.warn(describe(name, value))

    client = OpenAIModelClient(
        settings, on_wait=wait_notice(console), quirks=quirks, on_learnt=learnt
    )
    shutdown.hold()  # from here on a stop ends a cycle (or the run, before one) with a report
    journal = Journal(folder, secrets_to_hide=secrets)
    render: Show = driver.show if driver else Renderer(console, debug=args.debug)
    show = _with_sandbox_notice(render, settings, ctx)
    if sink is not None:
        show = _tee(sink, show)
        if loaded is not None:  # the first line is the session's start, resumed or not
            sink(next(e for e in loaded.events if isinstance(e, Started)))
    window_start = _window_start(args, loaded)
    features = [clone_status(settings)]  # issue K: what the start-up screen says is on
    if driver is None:  # --speak (issue K): a watcher of the shown events
        show = with_speech(show, settings, console, wanted=options.speak, said=features.append)
    record = Recorder(journal, state, show)
    if loaded is None:
        record(
            Started(
                profile=profile.to_dict(),
                options=vars(options),
                workspace=str(workspace.root),
                model=models.main.name,
            )
        )
        save_workspace_snapshot(folder, workspace)
    else:
        record(Resumed(cycle=state.cycle, options=vars(options), window_start=window_start))
        if state.interrupted_command:
            console.warn(
                f"Command {state.interrupted_command} was interrupted; the model is "
                "told and decides what to do."
            )
    calls = ModelCalls(
        models=models,
        limits=limits,
        client=client,
        record=record,
        state=state,
        show=show,
        live=driver is None,  # a driver (the server) returns whole steps: no live reply
    )
    ctx.ask_model = calls.helper
    ctx.make_image = open_images(settings, calls, console, said=features.append)
    ctx.helper_agents = open_helper_agents(calls, record, limit=settings.max_helper_agents)
    ctx.count_tokens = calls.counter.text
    systems: dict[bool, str] = {}

    def system_for(tool_mode: bool) -> str:
        if tool_mode not in systems:
            systems[tool_mode] = build_system_prompt(
                profile,
                registry.available(ctx),
                token_limit=limits.main_window,
                tool_mode=tool_mode,
            )
        return systems[tool_mode]

    announce(
        console,
        models.main.name,
        limits,
        state,
        workspace,
        journal.session_id,
        options,
        window_start=window_start,
        resumed=loaded is not None,
        helper_agents=settings.max_helper_agents,
        features=features,
    )
    agent = Agent(
        ai_name=profile.ai_name,
        system_for=system_for,
        calls=calls,
        registry=registry,
        ctx=ctx,
        record=record,
        authorizer=Authorizer(
            continuous=options.continuous,
            authorise_key=settings.authorise_command_key,
            exit_key=settings.exit_key,
        ),
        show=show,
        ask=driver.ask if driver else console.ask,
        memory=open_memory(settings, calls, ctx.resources, console, wipe=args.wipe_memory),
        permissions=permissions,
        redact=journal.redact,
    )
    try:
        outcome, code = run(
            agent,
            continuous_limit=options.continuous_limit if options.continuous or driver else 0,
            window_start=window_start,
            on_cycle_end=lambda: _snapshot(journal, state, options),
            session=journal.session_id,
            report=str(folder / REPORT),
        )
    finally:
        ctx.resources.close_all()
    _snapshot(journal, state, options, outcome=outcome.kind)
    resume = resume_command(journal.session_id)
    report = write_report(folder, profile=profile, state=state, workspace=workspace, resume=resume)
    journal.close()
    farewell(console, outcome, code, report=report, resume=resume)
    return code


def _window_start(args: argparse.Namespace, loaded: resuming.LoadedSession | None) -> int:
    """Where the continuous limit counts from: a run that ended at its limit is resumed with a
    fresh window (of the same size, or of ``-l``); one that was stopped otherwise (Ctrl-C, a
    kill, the model unavailable) goes on with the rest of its window."""
    if loaded is None:
        return 0
    if args.continuous_limit or loaded.state.last_outcome == "limit":
        return loaded.state.cycle
    return loaded.state.window_start


def _profile_for(args: argparse.Namespace, console: Console, settings: Settings) -> AIProfile:
    """The AI from ``--ai-name/--ai-role/--goal`` (no settings file read or written), else from
    the settings file or the prompts."""
    goals = getattr(args, "goal", None)
    if not goals:
        return obtain_profile(
            console, Path(settings.ai_settings_file), skip_reprompt=args.skip_reprompt
        )
    profile = AIProfile(
        ai_name=(args.ai_name or "").strip() or DEFAULT_NAME,
        ai_role=(args.ai_role or "").strip() or DEFAULT_ROLE,
        ai_goals=list(goals),
    )
    show_profile(console, profile)
    return profile


def _snapshot(
    journal: Journal, state: RunState, options: RunOptions, outcome: str | None = None
) -> None:
    journal.snapshot(
        {
            "cycle": state.cycle,
            "summary": state.summary,
            "summarized_upto": state.summarized_upto,
            "cost": state.costs.total,
            "costs": state.costs.to_dict(),
            "options": vars(options),
            "status": outcome or "running",
        }
    )


def _with_sandbox_notice(render: Show, settings: Settings, ctx: CommandContext) -> Show:
    """Probe the code-execution backend in the background (Docker answers within 2 s or not) and
    say which one is active, once, before the next thing shown: never a wait at start-up. The
    probe (and the docker SDK's import) starts once the first reply is in, so it does not slow
    the path to the first request; a command that needs the backend sooner waits for it."""
    if settings.execution_backend == "off":
        return render
    import threading

    from autogpt.sandbox import executor_for

    executor = executor_for(ctx.resources, settings, ctx.workspace.root)
    probing = threading.Thread(target=executor.choice, daemon=True, name="sandbox-probe")
    told = False

    def show(event: Shown) -> None:
        nonlocal told
        if probing.ident is None and isinstance(event, Thinking) and not event.active:
            probing.start()
        if not told:
            choice = executor.peek()
            if choice is not None:
                told = True
                render(
                    Notice(
                        f"Code execution: {choice.reason}",
                        "info" if choice.name == "docker" else "warn",
                    )
                )
        render(event)

    return show


def _tee(first: Show, second: Show) -> Show:
    def show(event: Shown) -> None:
        first(event)
        second(event)

    return show
