"""The final report: goals, outcome and why, cycles, commands, files, tokens and cost, duration,
and how to resume. Printed path, saved as ``sessions/<id>/report.md`` at every end."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from autogpt.agent.state import RunState
from autogpt.config.ai_profile import AIProfile
from autogpt.events import CommandFinished, Ended, RunEvent
from autogpt.journal.journal import JOURNAL, REPORT, read_run, write_atomic
from autogpt.workspace import FileChanges, Workspace, diff, snapshot

WORKSPACE_AT_START = "workspace_start.json"
MAX_FILES_LISTED = 50


def save_workspace_snapshot(folder: Path, workspace: Workspace) -> None:
    """The workspace as the session found it; the report compares the end with it."""
    write_atomic(
        folder / WORKSPACE_AT_START, json.dumps(snapshot(workspace.root), ensure_ascii=False)
    )


def workspace_changes(folder: Path, workspace: Workspace) -> FileChanges | None:
    try:
        before = json.loads((folder / WORKSPACE_AT_START).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return diff({k: tuple(v) for k, v in before.items()}, snapshot(workspace.root))


def write_report(
    folder: Path, *, profile: AIProfile, state: RunState, workspace: Workspace, resume: str
) -> Path:
    """``resume``: the command that resumes this session, as the user would type it."""
    text = render(
        read_run(folder / JOURNAL).events,
        profile=profile,
        state=state,
        session_id=folder.name,
        workspace=workspace,
        changes=workspace_changes(folder, workspace),
        resume=resume,
    )
    path = folder / REPORT
    write_atomic(path, text)
    return path


def _file_lines(changes: FileChanges | None) -> list[str]:
    if changes is None:
        return ["- (no record of the workspace at the start of the session)"]
    lines = [
        f"- {name}: {how}"
        for how, names in (
            ("created", [n for n, _ in changes.created]),
            ("changed", [n for n, _ in changes.changed]),
            ("deleted", changes.deleted),
        )
        for name in names
    ]
    if len(lines) > MAX_FILES_LISTED:
        lines = lines[:MAX_FILES_LISTED] + [f"- ... and {len(lines) - MAX_FILES_LISTED} more"]
    return lines or ["- none changed"]


def render(
    events: list[RunEvent],
    *,
    profile: AIProfile,
    state: RunState,
    session_id: str,
    workspace: Workspace,
    changes: FileChanges | None = None,
    resume: str = "",
) -> str:
    """The report, folded from the events (the last ``Ended`` says how the run ended) and the
    state they built."""
    commands: Counter[str] = Counter()
    failures: list[str] = []
    end: Ended | None = None
    for event in events:
        if isinstance(event, Ended):
            end = event
        if not isinstance(event, CommandFinished):
            continue
        commands[event.command] += 1
        if not event.ok:
            failures.append(f"cycle {event.cycle}: {event.command}: {event.error or ''}"[:200])
    status, reason, exit_code = (end.status, end.reason, end.exit_code) if end else ("?", "", 0)
    duration = (end.ts if end else time.time()) - state.started if state.started else 0.0
    lines = [
        f"# Report of session {session_id}",
        "",
        f"**{profile.ai_name}**: {profile.ai_role}",
        "",
        "## Goals",
        *[f"- {g}" for g in profile.ai_goals],
        "",
        "## Outcome",
        f"- {status}: {reason or '-'} (exit status {exit_code})",
        f"- cycles: {state.cycle}; corrections of unusable replies: {state.corrections}",
        f"- duration: {duration:.0f} s",
        "",
        "## Commands run",
    ]
    lines += [f"- {name}: {n}" for name, n in commands.most_common()] or ["- none"]
    if failures:
        lines += ["", "### Failures", *[f"- {f}" for f in failures]]
    lines += ["", f"## Files in the workspace ({workspace.root})"]
    lines += _file_lines(changes)
    lines += ["", "## Tokens and cost"]
    for model, usage in state.costs.per_model.items():
        if usage.images == usage.requests:  # an image model: priced per image, no tokens
            lines.append(f"- {model}: {usage.images} images, ${usage.dollars:.4f}")
            continue
        lines.append(
            f"- {model}: {usage.requests} requests, {usage.prompt_tokens:,} prompt + "
            f"{usage.completion_tokens:,} completion tokens, ${usage.dollars:.4f}"
        )
    lines.append(f"- total: ${state.costs.total:.4f}")
    if status not in ("finished", "user_exit"):
        lines += ["", "## Resume", f"`{resume or f'autogpt --resume {session_id}'}`"]
    return "\n".join(lines) + "\n"
