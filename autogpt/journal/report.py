"""The final report: goals, outcome and why, cycles, commands, files, tokens and cost, duration,
and how to resume. Printed path, saved as ``sessions/<id>/report.md`` at every end."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from autogpt.agent.outcome import Outcome
from autogpt.agent.state import RunState
from autogpt.config.ai_profile import AIProfile
from autogpt.journal.journal import JOURNAL, REPORT, read_events, write_atomic
from autogpt.workspace import Workspace

WRITE_COMMANDS = {"write_to_file": "written", "append_to_file": "appended",
                  "delete_file": "deleted", "download_file": "downloaded",
                  "execute_python_code": "written"}


def write_report(folder: Path, *, profile: AIProfile, outcome: Outcome, state: RunState,
                 workspace: Workspace, exit_code: int) -> Path:
    events = read_events(folder / JOURNAL).events
    text = render(events, profile=profile, outcome=outcome, state=state, exit_code=exit_code,
                  session_id=folder.name, workspace=workspace)
    path = folder / REPORT
    write_atomic(path, text)
    return path


def render(events: list[dict[str, Any]], *, profile: AIProfile, outcome: Outcome,
           state: RunState, exit_code: int, session_id: str, workspace: Workspace) -> str:
    commands: Counter[str] = Counter()
    failures: list[str] = []
    files: dict[str, str] = {}
    for event in events:
        if event.get("type") != "command_end":
            continue
        name = event.get("command", "?")
        commands[name] += 1
        if not event.get("ok"):
            failures.append(f"cycle {event.get('cycle')}: {name}: {event.get('error', '')}"[:200])
        elif name in WRITE_COMMANDS:
            args = event.get("args") or {}
            target = args.get("filename") or args.get("name")
            if target:
                files[str(target)] = WRITE_COMMANDS[name]
    duration = time.time() - state.started if state.started else 0.0
    lines = [f"# Report of session {session_id}", "", f"**{profile.ai_name}**: {profile.ai_role}",
             "", "## Goals", *[f"- {g}" for g in profile.ai_goals], "",
             "## Outcome", f"- {outcome.kind}: {outcome.reason or '-'} (exit status {exit_code})",
             f"- cycles: {state.cycle}; corrections of unusable replies: {state.corrections}",
             f"- duration: {duration:.0f} s", "", "## Commands run"]
    lines += [f"- {name}: {n}" for name, n in commands.most_common()] or ["- none"]
    if failures:
        lines += ["", "### Failures", *[f"- {f}" for f in failures]]
    lines += ["", f"## Files in the workspace ({workspace.root})"]
    lines += [f"- {name}: {how}" for name, how in sorted(files.items())] or ["- none changed"]
    lines += ["", "## Tokens and cost"]
    for model, usage in state.costs.per_model.items():
        lines.append(f"- {model}: {usage.requests} requests, {usage.prompt_tokens:,} prompt + "
                     f"{usage.completion_tokens:,} completion tokens, ${usage.dollars:.4f}")
    lines.append(f"- total: ${state.costs.total:.4f}")
    if outcome.kind not in ("finished", "user_exit"):
        lines += ["", "## Resume", f"`python -m autogpt --resume {session_id}`"]
    return "\n".join(lines) + "\n"
