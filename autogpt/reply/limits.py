"""Caps on one reply: beyond them a reply is unusable (a ``ReplyError``), whatever it says.

A real reply is at most ``max_tokens`` long (2,048 tokens at most, ``prompt/context.py``), so none
comes near these. They stop a broken or hostile endpoint from crashing the parser (deep nesting
is a ``RecursionError`` in ``json``), or from bricking the session with a turn that no later
request, and no ``--resume``, could carry. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autogpt.errors import ReplyError
from autogpt.llm.types import ToolCall

MAX_REPLY_CHARS = 100_000
"""The reply's text and tool calls together."""
MAX_COMMAND_NAME_CHARS = 64
"""OpenAI's own limit on function names."""
MAX_ARG_CHARS = 20_000
"""One argument's value (as JSON when it is not a string)."""
MAX_TOOL_CALLS = 16
MAX_NESTING = 32
"""Objects and lists inside each other."""
MAX_THOUGHT_CHARS = 2_000
"""Each thoughts field; longer ones are cut, not refused."""
MAX_PLAN_STEPS = 20

_PARTS = (
    " Write long texts in parts: write_to_file with the first part, then append_to_file with the"
    " rest."
)
_NESTED = (
    "Your reply nested objects or lists more than {cap} levels deep; that is not a usable reply."
    " Send one flat JSON object: thoughts and command with its args."
)


def check_reply(text: str | None, tool_calls: Sequence[ToolCall]) -> None:
    """Refuse a reply too big, with too many tool calls, or too deeply nested, before parsing."""
    if len(tool_calls) > MAX_TOOL_CALLS:
        raise ReplyError(
            f"Your reply made {len(tool_calls):,} tool calls; at most {MAX_TOOL_CALLS} are"
            " allowed, and only the first runs. Call one tool per reply."
        )
    size = len(text or "") + sum(len(c.name) + len(c.arguments) + len(c.id) for c in tool_calls)
    if size > MAX_REPLY_CHARS:
        raise ReplyError(
            f"Your reply was {size:,} characters long; at most {MAX_REPLY_CHARS:,} are allowed."
            + _PARTS
        )
    for part in [text or "", *(c.arguments for c in tool_calls)]:
        check_text_nesting(part)


def check_text_nesting(text: str) -> None:
    """Refuse JSON text nested deeper than ``MAX_NESTING`` (brackets inside strings are text)."""
    if json_depths(text).deepest > MAX_NESTING:
        raise nesting_error()


@dataclass(frozen=True)
class Depths:
    deepest: int
    """The deepest nesting of objects and lists seen."""
    open: int
    """How many are still open at the end (0 for complete JSON)."""
    in_string: bool
    """The text ends inside a string."""


def json_depths(text: str) -> Depths:
    """One pass over JSON-ish text, counting brackets outside strings; no parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "}]":
            depth = max(0, depth - 1)
    return Depths(deepest=deepest, open=depth, in_string=in_string)


def nesting_error() -> ReplyError:
    return ReplyError(_NESTED.format(cap=MAX_NESTING))


def check_value_nesting(value: Any) -> None:
    """Refuse a decoded value nested deeper than ``MAX_NESTING`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_NESTING:
                raise nesting_error()
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def check_name(name: str) -> None:
    """Refuse a command name over its cap (before any close-match search on it)."""
    if len(name) > MAX_COMMAND_NAME_CHARS:
        raise ReplyError(
            f"Your command name was {len(name):,} characters long ({name[:40]!r}...); at most"
            f" {MAX_COMMAND_NAME_CHARS} are allowed. Use one of the listed command names."
        )


def check_args(command: str, args: Mapping[str, Any]) -> None:
    """Refuse an argument name or value over its cap, naming it."""
    for key, value in args.items():
        key_text = str(key)
        if len(key_text) > MAX_COMMAND_NAME_CHARS:
            raise ReplyError(
                f"An argument name of {command!r} was {len(key_text):,} characters long; at most"
                f" {MAX_COMMAND_NAME_CHARS} are allowed."
            )
        check_value_nesting(value)
        size = value_size(value)
        if size > MAX_ARG_CHARS:
            raise ReplyError(
                f"The argument {key_text!r} of {command!r} was {size:,} characters long; at most"
                f" {MAX_ARG_CHARS:,} are allowed." + _PARTS
            )


def value_size(value: Any) -> int:
    """Characters a value takes: a string's length, else its JSON's (roughly, without copying)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return 2 + sum(len(str(k)) + 4 + value_size(v) for k, v in value.items())
    if isinstance(value, list):
        return 2 + sum(1 + value_size(v) for v in value)
    return len(str(value))


def cut_plan(steps: Sequence[str]) -> tuple[str, ...]:
    return tuple(cut_thought(s) for s in steps[:MAX_PLAN_STEPS])


def cut_thought(text: str) -> str:
    if len(text) <= MAX_THOUGHT_CHARS:
        return text
    return text[:MAX_THOUGHT_CHARS] + f" [... {len(text):,} characters in all]"
