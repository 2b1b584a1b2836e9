"""The run's events: the one typed record of what happened.

The cycle emits these; one recorder (``agent/recorder.py``) appends each to the journal, applies
it to the run state (``RunState.apply``, the only way that state changes) and shows it. Resume is a
replay of the journal through the same ``apply``; the report is a fold over them; the JSON-lines
output is them, serialised. Display-only updates (the spinner, cost lines) are not events.

Each event is frozen and serialised with a stable ``type`` and its version ``v``. Fields hold
plain JSON values only, so this module imports nothing else of ours. A line of another type, or of
a newer version, is left out on reading (a journal written by a newer version of the program).
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

SCHEMA = 2
"""The journal format: 1 is the untyped records of before (``journal/legacy.py`` reads them)."""


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    VERSION: ClassVar[int] = 1
    ts: float = Field(default_factory=lambda: round(time.time(), 3))

    def record(self) -> dict[str, Any]:
        """The serialised form: ``type`` first, then ``v``, ``ts`` and the fields."""
        data = self.model_dump(mode="json")
        kind = data.pop("type")
        return {"type": kind, "v": self.VERSION, **data}

    def line(self) -> str:
        return json.dumps(self.record(), ensure_ascii=False)


class Started(_Event):
    """A new session: who the AI is and what it runs with."""

    type: Literal["start"] = "start"
    schema_version: int = SCHEMA
    profile: dict[str, Any]
    options: dict[str, Any]
    workspace: str
    model: str


class Resumed(_Event):
    type: Literal["resumed"] = "resumed"
    cycle: int
    options: dict[str, Any]
    window_start: int = 0
    """The cycle this run's continuous-limit window begins at."""


class RequestAccounted(_Event):
    """One request to a model, after its answer: tokens and dollars."""

    type: Literal["request"] = "request"
    model: str
    purpose: str
    """main, correction, summary, helper (page answers), helper_agent (start_agent /
    message_agent), embedding or image (generate_image: no tokens, priced per image)."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    """Of the prompt tokens, those the provider served from its prompt cache."""
    counted_tokens: int = 0
    """What we counted before sending (a gap to ``prompt_tokens`` is a counting error)."""
    cost: float = 0.0
    latency: float = 0.0


class CorrectionAsked(_Event):
    type: Literal["correction"] = "correction"
    cycle: int
    error: str


class Call(BaseModel):
    """A tool call as the history keeps it (bounded)."""

    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    arguments: str


class ReplyParsed(_Event):
    """The model's reply, parsed: its thoughts and the one command it proposes."""

    type: Literal["reply"] = "reply"
    cycle: int
    thoughts: dict[str, Any]
    """text, reasoning, plan (a list), criticism, speak."""
    command: str
    args: dict[str, Any]
    tool_call_id: str | None = None
    reasoning: str = ""
    """The model's ``reasoning_content``, kept only where the provider wants it back (DeepSeek's
    thinking mode, on tool-call turns)."""
    other_calls: list[Call] = []
    """The reply's other tool calls (not run: one command per cycle)."""
    notes: list[str] = []
    """What the parser repaired."""


class ReplyUnusable(_Event):
    """A reply that could not be used even after the corrections."""

    type: Literal["unusable"] = "unusable"
    cycle: int
    text: str
    tool_calls: list[Call] = []
    error: str


class Feedback(_Event):
    """The user answered the proposal with feedback instead of running it."""

    type: Literal["feedback"] = "feedback"
    cycle: int
    text: str


class CommandStarted(_Event):
    type: Literal["command_started"] = "command_started"
    cycle: int
    command: str
    authorization: str
    """continuous, pre-authorised, or the answer given (``y``, ``y -5``)."""


class CommandFinished(_Event):
    type: Literal["command_finished"] = "command_finished"
    cycle: int
    command: str
    ok: bool
    result: str
    """What the model is told, as the next request carries it (cut to the result budget)."""
    error: str | None = None
    duration: float = 0.0


class PermissionRuled(_Event):
    """A permission rule decided about the proposed command (``agent/approval.py``)."""

    type: Literal["permission"] = "permission"
    cycle: int
    command: str
    verdict: str
    """allow, ask or deny."""
    rule: str
    granted: bool = False
    """The rule was granted at the prompt this session (not read from the file)."""


class PermissionGranted(_Event):
    """The user answered ``a``: the rule allows the command for the rest of the session."""

    type: Literal["permission_granted"] = "permission_granted"
    cycle: int
    rule: str


class PermissionSaved(_Event):
    type: Literal["permission_saved"] = "permission_saved"
    cycle: int
    rule: str


class UserExited(_Event):
    type: Literal["user_exit"] = "user_exit"
    cycle: int


class Compacted(_Event):
    """Turns before ``upto`` are shown in their short form from now on."""

    type: Literal["compacted"] = "compacted"
    upto: int


class SummaryFolded(_Event):
    """Turns before ``upto`` are folded into ``summary``."""

    type: Literal["summary"] = "summary"
    summary: str
    upto: int


class ToolModeChanged(_Event):
    type: Literal["tool_mode"] = "tool_mode"
    enabled: bool
    reason: str = ""


class QuirkLearnt(_Event):
    """Something the endpoint refuses, learnt from its answer and kept for the session
    (``llm/quirks.py``): ``tool_choice``, ``token_param``, ``temperature``, ``system_role``,
    ``enable_thinking``, ``stream`` (False: whole replies), or ``context_window`` (the window it
    stated: ``{model: tokens}``)."""

    type: Literal["quirk"] = "quirk"
    name: str
    value: Any


class Warned(_Event):
    """A warning shown to the user, in the JSON-lines output (not journaled: it changes
    nothing)."""

    type: Literal["warning"] = "warning"
    text: str


class HelperStarted(_Event):
    """``start_agent``: a helper conversation began with ``opening`` (the first user message,
    as sent) and its first ``reply``."""

    type: Literal["helper_started"] = "helper_started"
    key: str
    name: str
    task: str
    opening: str
    reply: str


class HelperReplied(_Event):
    """``message_agent``: one more exchange; ``dropped`` oldest exchanges were left out of the
    conversation first, to keep it within the window (``prompt/helper_chats.py``)."""

    type: Literal["helper_replied"] = "helper_replied"
    key: str
    message: str
    reply: str
    dropped: int = 0


class HelperDeleted(_Event):
    type: Literal["helper_deleted"] = "helper_deleted"
    key: str


class Ended(_Event):
    type: Literal["end"] = "end"
    status: str
    """finished, user_exit, limit, budget, stuck, interrupted, error, model_unavailable, ..."""
    reason: str = ""
    exit_code: int
    cycles: int
    cost_usd: float = 0.0
    tokens: dict[str, int] = {}
    """prompt and completion tokens of the run, all models."""
    session: str = ""
    report: str = ""


RunEvent = (
    Started
    | Resumed
    | RequestAccounted
    | CorrectionAsked
    | ReplyParsed
    | ReplyUnusable
    | Feedback
    | CommandStarted
    | CommandFinished
    | PermissionRuled
    | PermissionGranted
    | PermissionSaved
    | UserExited
    | Compacted
    | SummaryFolded
    | ToolModeChanged
    | QuirkLearnt
    | Warned
    | HelperStarted
    | HelperReplied
    | HelperDeleted
    | Ended
)

_ADAPTER: TypeAdapter[RunEvent] = TypeAdapter(Annotated[RunEvent, Field(discriminator="type")])
TYPES: dict[str, type[_Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        Started,
        Resumed,
        RequestAccounted,
        CorrectionAsked,
        ReplyParsed,
        ReplyUnusable,
        Feedback,
        CommandStarted,
        CommandFinished,
        PermissionRuled,
        PermissionGranted,
        PermissionSaved,
        UserExited,
        Compacted,
        SummaryFolded,
        ToolModeChanged,
        QuirkLearnt,
        Warned,
        HelperStarted,
        HelperReplied,
        HelperDeleted,
        Ended,
    )
}


def parse(record: dict[str, Any]) -> RunEvent | None:
    """The event a journal line holds; None for an unknown type, a newer version or bad fields."""
    cls = TYPES.get(str(record.get("type")))
    version = record.get("v", 1)
    if cls is None or not isinstance(version, int) or version > cls.VERSION:
        return None
    try:
        return _ADAPTER.validate_python(record)
    except ValidationError:
        return None
