"""Journals of the first format (untyped records, before ``autogpt/events.py``) as events.

Those records carried each turn as chat messages; here the reply is recovered from them (its
thoughts and command, or its tool calls) so an old session resumes like a new one. Anything a
record lacks is left at its default; a record that cannot be understood is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from autogpt import events as ev

UNUSABLE_PREFIX = "Your reply could not be used: "
FEEDBACK_PREFIX = "Human feedback: "


def convert(records: list[dict[str, Any]]) -> list[ev.RunEvent]:
    out: list[ev.RunEvent] = []
    for record in records:
        try:
            out.extend(_convert(record))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue
    return out


def _convert(r: dict[str, Any]) -> Iterator[ev.RunEvent]:
    kind = r.get("type")
    ts = float(r.get("ts") or 0.0)
    cycle = int(r.get("cycle") or 0)
    if kind == "session_start":
        yield ev.Started(
            ts=ts,
            profile=dict(r["profile"]),
            options=dict(r.get("options") or {}),
            workspace=str(r.get("workspace", "")),
            model=str(r.get("model", "")),
        )
    elif kind == "resumed":
        yield ev.Resumed(
            ts=ts,
            cycle=cycle,
            options=dict(r.get("options") or {}),
            window_start=int(r.get("window_start") or 0),
        )
    elif kind == "request":
        yield ev.RequestAccounted(
            ts=ts,
            model=str(r.get("model", "")),
            purpose=str(r.get("purpose", "")),
            prompt_tokens=int(r.get("prompt_tokens") or 0),
            completion_tokens=int(r.get("completion_tokens") or 0),
            counted_tokens=int(r.get("counted_tokens") or 0),
            cost=float(r.get("cost") or 0.0),
            latency=float(r.get("latency") or 0.0),
        )
    elif kind == "correction":
        yield ev.CorrectionAsked(ts=ts, cycle=cycle, error=str(r.get("error", "")))
    elif kind == "command_start":
        yield _reply(r["assistant"], cycle, ts, command=r.get("command"), args=r.get("args"))
        authorization = str(r.get("authorization", ""))
        yield ev.CommandStarted(
            ts=ts, cycle=cycle, command=str(r.get("command", "")), authorization=authorization
        )
    elif kind == "command_end":
        messages = r["messages"]
        yield ev.CommandFinished(
            ts=ts,
            cycle=cycle,
            command=str(r.get("command", "")),
            ok=bool(r.get("ok")),
            result=str(messages[1].get("content") or ""),
            error=r.get("error"),
            duration=float(r.get("duration") or 0.0),
        )
    elif kind == "feedback":
        messages = r["messages"]
        yield _reply(messages[0], cycle, ts)
        text = str(messages[1].get("content") or "")
        yield ev.Feedback(ts=ts, cycle=cycle, text=text.removeprefix(FEEDBACK_PREFIX))
    elif kind == "unusable":
        message = r["messages"][0]
        told = str(r["messages"][1].get("content") or "") if len(r["messages"]) > 1 else ""
        yield ev.ReplyUnusable(
            ts=ts,
            cycle=cycle,
            text=str(message.get("content") or ""),
            tool_calls=_calls(message.get("tool_calls") or []),
            error=str(r.get("error") or told.removeprefix(UNUSABLE_PREFIX)),
        )
    elif kind == "compact":
        yield ev.Compacted(ts=ts, upto=int(r["compacted_upto"]))
    elif kind == "summary":
        yield ev.SummaryFolded(ts=ts, summary=str(r["summary"]), upto=int(r["summarized_upto"]))
    elif kind == "tool_mode":
        yield ev.ToolModeChanged(ts=ts, enabled=bool(r.get("enabled")), reason=r.get("reason", ""))
    elif kind == "user_exit":
        yield ev.UserExited(ts=ts, cycle=cycle)
    elif kind == "end":
        yield ev.Ended(
            ts=ts,
            status=str(r.get("outcome", "")),
            reason=str(r.get("reason", "")),
            exit_code=int(r.get("exit_code") or 0),
            cycles=cycle,
        )


def _reply(
    message: dict[str, Any], cycle: int, ts: float, *, command: Any = None, args: Any = None
) -> ev.ReplyParsed:
    """The parsed reply an assistant message of the history held (args: the full ones, when the
    record kept them; the history's are shortened)."""
    data = _json(message.get("content") or "")
    found = data.get("thoughts")
    thoughts: dict[str, Any] = found if isinstance(found, dict) else {}
    plan = thoughts.get("plan", "")
    if isinstance(plan, str):
        plan = [line.strip().removeprefix("- ") for line in plan.splitlines() if line.strip()]
    calls = _calls(message.get("tool_calls") or [])
    own = calls[0] if calls else None
    command_shown = data.get("command")
    shown: dict[str, Any] = command_shown if isinstance(command_shown, dict) else {}
    if args is None:
        args = json.loads(own.arguments) if own else shown.get("args", {})
    return ev.ReplyParsed(
        ts=ts,
        cycle=cycle,
        thoughts={**thoughts, "plan": list(plan)},
        command=str(command or (own.name if own else shown.get("name", ""))),
        args=dict(args),
        tool_call_id=own.id if own else None,
        other_calls=calls[1:],
    )


def _calls(raw: list[dict[str, Any]]) -> list[ev.Call]:
    return [
        ev.Call(
            id=str(c.get("id", "")),
            name=str(c.get("function", {}).get("name", "")),
            arguments=str(c.get("function", {}).get("arguments", "")),
        )
        for c in raw
    ]


def _json(content: str) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
