"""What the agent shows: display updates handed to the ``show`` callable that ``cli`` passes in.

These are not journaled (the spinner, the proposal on screen, cost lines); the run's record is
``autogpt/events.py``, whose events ``show`` is given too, once recorded. The agent never prints;
``ui/render.py`` renders both. Tests collect them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from autogpt.events import RunEvent
from autogpt.reply.parser import Proposal


@dataclass(frozen=True)
class Thinking:
    active: bool
    label: str = "Thinking..."


@dataclass(frozen=True)
class ProposalShown:
    ai_name: str
    proposal: Proposal


@dataclass(frozen=True)
class ResultShown:
    command: str
    text: str
    ok: bool


@dataclass(frozen=True)
class ReasoningShown:
    """The model's own reasoning (``reasoning_content``): shown dimmed, never parsed."""

    text: str


@dataclass(frozen=True)
class ThoughtDelta:
    """The reply so far while it streams in, for the live view: its beginning (the thoughts) and
    the newest of its reasoning, each bounded (``llm/replies.py``). Display only: never
    journaled, never parsed; the proposal is shown once the reply is complete."""

    text: str
    reasoning: str = ""


@dataclass(frozen=True)
class Notice:
    text: str
    level: Literal["info", "warn", "error", "debug"] = "info"


@dataclass(frozen=True)
class CostLine:
    cycle: int
    request_cost: float
    total: float
    budget: float
    prompt_tokens: int
    completion_tokens: int
    requests: int
    """Requests to the chat models."""
    embeddings: int = 0
    """Embedding requests of long-term memory."""
    cached_tokens: int = 0
    """Of this request's prompt tokens, those served from the provider's cache."""
    image: str = ""
    """The image model, when the request was for an image (priced per image, no tokens)."""
    label: str = ""
    """Whose request it was, when not the agent's own ("helper agent")."""


@dataclass(frozen=True)
class Authorized:
    remaining: int
    """Commands still pre-authorized after this one (``y -N``)."""


Event = (
    Thinking
    | ProposalShown
    | ResultShown
    | ReasoningShown
    | ThoughtDelta
    | Notice
    | CostLine
    | Authorized
)
Shown = Event | RunEvent
Show = Callable[[Shown], None]
