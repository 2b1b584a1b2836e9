"""The user's answer to "run this command?" as a Decision, and the remaining-count state.

Never calls input(): the cycle passes the answer in. Semantics (as Auto-GPT, made exact):
``y`` runs this command; ``y -N`` (also ``y-N``, ``y - N``, any case) runs this one and the next
N-1 without asking; ``a`` (when offered) runs it and allows the same command for the rest of
the session (see :mod:`autogpt.agent.permissions`); ``n`` (the exit key) exits; any other non-empty
text is feedback for the model; an empty line, ``y -0``, ``y -x`` or ``y --3`` is invalid and
asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_COUNT = re.compile(r"^\s*-\s*(\d+)\s*$")


@dataclass(frozen=True)
class Decision:
    kind: Literal["run", "always", "denied", "exit", "feedback", "invalid"]
    """``always``: run, and allow this command for the session; ``denied``: a permission rule
    refused it (``text`` says which), so it does not run and the model is told."""
    count: int = 1
    """For ``run``: how many commands, this one included, run without asking."""
    text: str = ""
    """The feedback, or why the answer was invalid."""


def parse_answer(
    answer: str, *, authorise_key: str = "y", exit_key: str = "n", always_key: str | None = None
) -> Decision:
    text = answer.strip()
    key = authorise_key.lower()
    always = (
        f"'{always_key}' to always allow it this session, "
        if always_key and always_key.lower() not in (key, exit_key.lower())
        else ""
    )
    usage = (
        f"Enter '{authorise_key}' to run the command, '{authorise_key} -N' to run N commands, "
        f"{always}'{exit_key}' to exit, or type feedback for the AI."
    )
    if not text:
        return Decision("invalid", text=f"Empty answer. {usage}")
    lowered = text.lower()
    if lowered == key:
        return Decision("run", 1)
    if lowered == exit_key.lower():
        return Decision("exit")
    if always and always_key and lowered == always_key.lower():
        return Decision("always", 1)
    if lowered.startswith(key) and lowered[len(key) :].lstrip().startswith("-"):
        match = _COUNT.match(lowered[len(key) :])
        if not match:
            return Decision(
                "invalid",
                text=f"'{text}' is not a valid count: use '{authorise_key} -N' "
                f"with N a whole number of 1 or more. {usage}",
            )
        count = int(match.group(1))
        if count < 1:
            return Decision("invalid", text=f"'{text}': the count must be 1 or more. {usage}")
        return Decision("run", count)
    return Decision("feedback", text=text)


class Authorizer:
    """Remembers how many more commands may run without asking."""

    def __init__(
        self, *, continuous: bool = False, authorise_key: str = "y", exit_key: str = "n"
    ) -> None:
        self.continuous = continuous
        self.authorise_key = authorise_key
        self.exit_key = exit_key
        self.remaining = 0

    def must_ask(self) -> bool:
        return not self.continuous and self.remaining <= 0

    def grant(self, count: int) -> None:
        """The user said ``y -N``: this command and N-1 more run without asking."""
        self.remaining = count

    def consume(self) -> int:
        """One command is about to run; returns how many remain pre-authorized after it."""
        if self.remaining > 0:
            self.remaining -= 1
        return self.remaining
