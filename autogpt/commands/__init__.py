"""The commands of the agent. ``COMMAND_MODULES`` is the single ordered list of their modules.

Order is stable, so the prompt's command list (and its cache-friendly prefix) is too.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMAND_MODULES: tuple[str, ...] = (
    "autogpt.commands.files",
    "autogpt.commands.web",
    "autogpt.commands.browse",
    "autogpt.commands.code",
    "autogpt.commands.shell",
    "autogpt.commands.git",
    "autogpt.commands.images",
    "autogpt.commands.agents",
    "autogpt.commands.control",
)


def load_command_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMAND_MODULES]
