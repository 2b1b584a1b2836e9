"""The permission rules of a session: read at start-up (a mistake stops the start with the file
and line), shown on the start-up screen, and, on ``--resume``, the rules granted with ``a`` in
the earlier runs of the session given back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from autogpt.agent.approval import PermissionPolicy, granted_rules
from autogpt.agent.permissions import Rule
from autogpt.agent.permissions_file import add_allowed, load
from autogpt.config.settings import Settings
from autogpt.ui.console import Console


def load_policy(
    settings: Settings, console: Console, *, granted: Iterable[str] = ()
) -> PermissionPolicy:
    """``granted``: the rules granted with ``a`` in the session's earlier runs."""
    """The rules in force; raises ConfigError (exit 2) for a malformed file."""
    path = Path(settings.permissions_file)
    rules = load(path)
    for rule in granted_rules(granted):
        rules.grant(rule)
    shown = str(path)
    if rules.is_empty():
        state = "has none" if path.exists() else "not found"
        console.dim(f"Permission rules: none ({shown} {state}).")
    else:
        console.info(f"Permission rules ({shown}; deny > ask > allow):")
        for line in rules.describe():
            console.line(f"  {line}")

    def save(rule: Rule) -> None:
        add_allowed(path, rule)

    return PermissionPolicy(rules=rules, save=save, file=shown)
