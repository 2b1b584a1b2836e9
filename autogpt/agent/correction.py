"""After an unusable reply: which parsed replies are refused anyway, and what the corrective
request sends (the cycle asks at most ``MAX_CORRECTIONS`` times, then records the reply as
unusable)."""

from __future__ import annotations

from typing import Any

from autogpt.errors import ReplyError
from autogpt.llm.types import ChatReply
from autogpt.prompt.system import TRIGGER, TRIGGER_TOOLS
from autogpt.prompt.turns import bounded_calls, unusable_messages, unusable_text
from autogpt.reply.parser import Proposal

MAX_CORRECTIONS = 2

CONTENT_COMMANDS = {"write_to_file", "append_to_file", "execute_python_code"}


def refuse_cut_writes(reply: ChatReply, proposal: Proposal) -> None:
    """A reply cut at the token limit may still parse; its file text would be incomplete."""
    cut = reply.finish_reason == "length" or any("cut off" in n for n in proposal.notes)
    if cut and proposal.command in CONTENT_COMMANDS:
        raise ReplyError(
            f"Your reply was cut off at the length limit, so the text for {proposal.command} is "
            "incomplete. Write long texts in parts: write_to_file with the first part, then "
            "append_to_file with the rest, keeping each reply short."
        )


def correction_messages(
    messages: list[dict[str, Any]], reply: ChatReply, error: ReplyError, tool_mode: bool
) -> list[dict[str, Any]]:
    """The request's messages, then the unusable reply and what was wrong with it, then the
    next-step trigger again."""
    told = f"Your last reply could not be used: {error}"
    trigger = TRIGGER_TOOLS if tool_mode else TRIGGER
    bad = unusable_messages(unusable_text(reply.text), bounded_calls(reply.tool_calls), told)
    current = [*messages, *bad]
    if current[-1]["role"] == "tool":
        current.append({"role": "user", "content": trigger})
    else:
        current[-1] = {**current[-1], "content": current[-1]["content"] + "\n\n" + trigger}
    return current
