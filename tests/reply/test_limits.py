"""Caps on one reply: deep nesting, long names, big arguments, floods of tool calls.

Each is an unusable reply (``ReplyError``) with a short message, never a crash."""

from __future__ import annotations

import json

import pytest

from autogpt.errors import ReplyError
from autogpt.llm.types import ToolCall
from autogpt.reply import Proposal, parse_reply
from autogpt.reply.limits import (
    MAX_ARG_CHARS,
    MAX_COMMAND_NAME_CHARS,
    MAX_NESTING,
    MAX_REPLY_CHARS,
    MAX_TOOL_CALLS,
)

COMMANDS = {"read_file": ["filename", "offset", "limit"], "write_to_file": ["filename", "text"]}
DEEP = "[" * 20_000 + "]" * 20_000  # far past the recursion limit, under the size cap
SHORT_MESSAGE = 400


def parse(text: str | None, *tool_calls: ToolCall) -> Proposal:
    return parse_reply(text, tool_calls, commands=COMMANDS)


def reply_with(args: str, name: str = "read_file") -> str:
    return '{"thoughts": {"text": "t"}, "command": {"name": "' + name + '", "args": ' + args + "}}"


def refused(text: str | None, *tool_calls: ToolCall) -> str:
    with pytest.raises(ReplyError) as caught:
        parse(text, *tool_calls)
    message = str(caught.value)
    assert len(message) < SHORT_MESSAGE, message
    return message


@pytest.mark.parametrize(
    "text",
    [
        DEEP,
        '{"a": ' * 10_000 + "1" + "}" * 10_000,
        reply_with('{"filename": ' + DEEP + "}"),
        '{"thoughts": ' + DEEP + ', "command": {"name": "read_file", "args": {"filename": "a"}}}',
        reply_with(json.dumps(json.dumps({"filename": json.loads("[" * 900 + "]" * 900)}))),
    ],
    ids=["bare", "objects", "in-argument", "in-thoughts", "in-json-string-args"],
)
def test_deep_nesting_is_an_unusable_reply(text: str) -> None:
    assert "nested" in refused(text)


@pytest.mark.parametrize("arguments", ['{"filename": ' + DEEP + "}", DEEP])
def test_deep_nesting_in_tool_call_arguments_is_an_unusable_reply(arguments: str) -> None:
    assert "nested" in refused(None, ToolCall("c1", "read_file", arguments))


def test_nesting_within_the_cap_is_fine() -> None:
    value = json.loads("[" * (MAX_NESTING - 4) + "]" * (MAX_NESTING - 4))
    proposal = parse(reply_with(json.dumps({"filename": "a", "offset": value})))
    assert proposal.args["offset"] == value


def test_long_command_name_is_refused() -> None:
    name = "read_file" * 6000
    message = refused(reply_with('{"filename": "a"}', name=name))
    assert f"at most {MAX_COMMAND_NAME_CHARS}" in message
    message = refused(None, ToolCall("c1", name, '{"filename": "a"}'))
    assert f"at most {MAX_COMMAND_NAME_CHARS}" in message


def test_oversize_argument_is_refused_naming_it() -> None:
    text = "x" * (MAX_ARG_CHARS + 1)
    message = refused(
        reply_with(json.dumps({"filename": "a.txt", "text": text}), name="write_to_file")
    )
    assert "'text'" in message and "append_to_file" in message
    message = refused(None, ToolCall("c1", "read_file", json.dumps({"filename": text})))
    assert "'filename'" in message


def test_argument_at_the_cap_is_fine() -> None:
    text = "x" * MAX_ARG_CHARS
    proposal = parse(
        reply_with(json.dumps({"filename": "a.txt", "text": text}), name="write_to_file")
    )
    assert proposal.args["text"] == text


def test_huge_reply_is_refused_before_parsing() -> None:
    message = refused(
        reply_with(
            json.dumps({"filename": "a", "text": "y" * MAX_REPLY_CHARS}), name="write_to_file"
        )
    )
    assert f"{MAX_REPLY_CHARS:,}" in message


def test_thousands_of_tool_calls_are_refused() -> None:
    calls = [ToolCall(f"c{i}", "read_file", '{"filename": "a"}') for i in range(5000)]
    assert f"at most {MAX_TOOL_CALLS}" in refused(None, *calls)


def test_a_few_tool_calls_still_use_the_first() -> None:
    calls = [ToolCall(f"c{i}", "read_file", '{"filename": "a"}') for i in range(MAX_TOOL_CALLS)]
    assert parse(None, *calls).tool_call_id == "c0"
