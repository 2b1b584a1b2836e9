"""What a command is handed: the workspace, the settings, and narrow doors to the rest of the run.

Commands never import ``llm/`` or ``ui/``: a page summary goes through :attr:`ask_model`, an
image through :attr:`make_image`, the helper agents through :attr:`helper_agents`, a progress
line through :attr:`notify`, a browser that lives for the whole run through :attr:`resources`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autogpt.resources import RunResources

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.events import RunEvent
    from autogpt.prompt.helper_chats import HelperChats, Messages
    from autogpt.workspace import Workspace

__all__ = ["AskModel", "CommandContext", "HelperAgents", "MadeImage", "MakeImage", "RunResources"]

AskModel = Callable[[list[dict[str, str]], int], str]
"""(messages, max_tokens) -> reply text, on the fast model: a helper conversation of its own."""


@dataclass(frozen=True)
class MadeImage:
    data: bytes
    """The file as the image service sent it (the command checks it is a PNG)."""
    model: str
    size: str
    """The size made: the one asked for, or the model's nearest."""
    cost: float | None
    """Dollars counted in the run's cost; None: the price is unknown (counted as $0)."""
    revised_prompt: str | None = None


MakeImage = Callable[[str, str], MadeImage]
"""(prompt, size) -> the image, its cost counted; a CommandError saying why not (the budget, the
service's answer)."""


def _estimate_tokens(text: str) -> int:
    return len(text.encode("utf-8")) // 3 + 1


@dataclass(frozen=True)
class HelperAgents:
    """The door of the helper agents (``commands/agents.py``): their conversations as the run
    state holds them, the gateway for their requests, the recorder for what happens to them."""

    chats: Callable[[], HelperChats]
    ask: Callable[[Messages], str]
    """One request on the model the run's flags select: budget-checked, counted, journalled."""
    count: Callable[[Messages], int]
    room: Callable[[], int]
    """What a helper's request may take before its reply: the window minus the reply reserve."""
    record: Callable[[RunEvent], None]
    """Journal an event, then apply it to the run state (``agent/recorder.py``)."""
    limit: int
    """MAX_HELPER_AGENTS: how many may be alive at once."""


@dataclass
class CommandContext:
    workspace: Workspace
    settings: Settings
    ask_model: AskModel | None = None
    make_image: MakeImage | None = None
    """Set when IMAGE_PROVIDER is not none (``session_images.py``)."""
    count_tokens: Callable[[str], int] = _estimate_tokens
    result_budget_tokens: int = 1000
    """How many tokens a command's result may take in the next prompt (results are cut to it)."""
    helper_window: int = 4000
    """What one :attr:`ask_model` request may take, prompt plus reply."""
    notify: Callable[[str], None] = lambda message: None
    """A progress or warning line for the user (never for the model)."""
    resources: RunResources = field(default_factory=RunResources)
    helper_agents: HelperAgents | None = None
    """None: helper agents are off (MAX_HELPER_AGENTS=0, or no run to record them in)."""
