"""Command names of MCP tools: what the OpenAI API accepts, unique and stable."""

from __future__ import annotations

import re

from autogpt.mcp.names import tool_name

ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_plain_names_keep_their_spelling() -> None:
    assert tool_name("time", "get_current_time") == "mcp__time__get_current_time"


def test_other_characters_become_underscores() -> None:
    assert tool_name("my server", "files/read.v2") == "mcp__my_server__files_read_v2"


def test_long_names_are_cut_to_64_with_a_stable_hash() -> None:
    name = tool_name("a-very-long-server-name", "and_an_even_longer_tool_name_" + "x" * 40)
    assert ALLOWED.match(name) and len(name) == 64
    assert name == tool_name("a-very-long-server-name", "and_an_even_longer_tool_name_" + "x" * 40)


def test_two_tools_that_sanitise_alike_get_different_names() -> None:
    first = tool_name("s", "a.b")
    second = tool_name("s", "a b", {first})
    assert first == "mcp__s__a_b" and second != first and ALLOWED.match(second)
