"""What a step returns: the next proposal in ``output``; thoughts, the command's result, cost
and status in ``additional_output``; ``is_last`` once the run ended."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from typing import Any

from autogpt.agent.events import CostLine, Notice, ProposalShown, ResultShown
from autogpt.serve.runner import Pause
from autogpt.serve.tasks import now_iso

RESULT_CHARS = 4_000


def answer_for(text: str | None) -> str:
    """Empty input or ``y`` runs the proposed command, ``n`` ends, anything else is feedback."""
    stripped = (text or "").strip()
    return stripped or "y"


def build_step(
    *,
    task_id: str,
    given: str | None,
    pause: Pause,
    end: dict[str, Any] | None,
    note: str | None = None,
) -> dict[str, Any]:
    proposal = next((e for e in reversed(pause.events) if isinstance(e, ProposalShown)), None)
    result = next((e for e in reversed(pause.events) if isinstance(e, ResultShown)), None)
    cost = next((e for e in reversed(pause.events) if isinstance(e, CostLine)), None)
    notices = [
        {"level": e.level, "text": e.text}
        for e in pause.events
        if isinstance(e, Notice) and e.level != "debug"
    ]
    additional: dict[str, Any] = {
        "status": _status(pause, end),
        "notices": notices,
    }
    if note:
        additional["note"] = note
    if cost is not None:
        additional["cost"] = asdict(cost)
    if result is not None:
        additional["result"] = {
            "command": result.command,
            "ok": result.ok,
            "text": result.text[:RESULT_CHARS],
        }
    name = "end"
    if pause.ended:
        output = _end_text(pause, end)
    elif proposal is not None:
        p = proposal.proposal
        additional["thoughts"] = asdict(p.thoughts)
        additional["command"] = {"name": p.command, "args": p.args}
        output = _proposal_text(proposal)
        name = p.command
    else:
        output = "The agent is waiting for an answer."
    if end is not None and pause.ended:
        additional["exit_code"] = end.get("exit_code")
        additional["reason"] = end.get("reason")
    return {
        "task_id": task_id,
        "step_id": str(uuid.uuid4()),
        "name": name,
        "input": given,
        "additional_input": {},
        "status": "completed",
        "output": output,
        "additional_output": additional,
        "artifacts": [],
        "is_last": pause.ended,
        "created_at": now_iso(),
    }


def _status(pause: Pause, end: dict[str, Any] | None) -> str:
    if not pause.ended:
        return "waiting_for_input"
    if end is not None:
        return str(end.get("status") or "ended")
    return "error" if pause.error else "ended"


def _end_text(pause: Pause, end: dict[str, Any] | None) -> str:
    if pause.error:
        return pause.error
    if end is None:
        return "The task ended."
    outcome, reason = end.get("status"), end.get("reason") or ""
    if outcome == "finished":
        return f"Finished: {reason}"
    return f"Stopped ({outcome}): {reason}" if reason else f"Stopped ({outcome})."


def _proposal_text(shown: ProposalShown) -> str:
    p = shown.proposal
    t = p.thoughts
    lines = [f"{shown.ai_name} THOUGHTS: {t.text}"] if t.text else []
    if t.reasoning:
        lines.append(f"REASONING: {t.reasoning}")
    if t.plan:
        lines.append("PLAN:")
        lines += [f"- {step}" for step in t.plan]
    if t.criticism:
        lines.append(f"CRITICISM: {t.criticism}")
    if t.speak:
        lines.append(f"SPEAK: {t.speak}")
    args = json.dumps(p.args, ensure_ascii=False)
    lines.append(f"NEXT ACTION: COMMAND = {p.command}  ARGUMENTS = {args}")
    return "\n".join(lines)
