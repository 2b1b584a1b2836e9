"""Permission rules: patterns, the main argument, precedence, what ``a`` grants."""

from __future__ import annotations

import pytest

from autogpt.agent.permissions import (
    Permissions,
    Rule,
    RuleError,
    escape,
    main_argument,
    rule_for_session,
)


@pytest.mark.parametrize(
    ("rule", "command", "main"),
    [
        ("read_file", "read_file", "a.txt"),
        ("read_file", "read_file", None),
        ("mcp__time__*", "mcp__time__get_current_time", None),
        ("mcp__*__get_*", "mcp__time__get_current_time", "Asia/Shanghai"),
        ("execute_shell(ls *)", "execute_shell", "ls -la"),
        ("execute_shell(ls *)", "execute_shell", "ls"),
        ("read_file(notes/*)", "read_file", "notes/2026/a.md"),
        ("web_search(冰淇淋*)", "web_search", "冰淇淋 市场"),
    ],
)
def test_a_rule_matches_the_command_and_its_main_argument(
    rule: str, command: str, main: str | None
) -> None:
    assert Rule.parse(rule).matches(command, main)


@pytest.mark.parametrize(
    ("rule", "command", "main"),
    [
        ("read_file", "read_files", "a.txt"),
        ("read_file", "READ_FILE", "a.txt"),
        ("mcp__time__*", "mcp__timer__x", None),
        ("execute_shell(ls *)", "execute_shell", "lsblk"),
        ("execute_shell(ls *)", "execute_shell", "cat ls"),
        ("execute_shell(ls *)", "execute_shell", None),
        ("read_file(notes/*)", "write_to_file", "notes/a.md"),
    ],
)
def test_a_rule_does_not_match_other_commands_or_arguments(
    rule: str, command: str, main: str | None
) -> None:
    assert not Rule.parse(rule).matches(command, main)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "empty rule"),
        ("execute_shell(ls", "closing ')'"),
        ("execute_shell()", "empty parentheses"),
        ("read file", "not a command name"),
        ("ls)", "closing ')'"),
    ],
)
def test_a_malformed_rule_says_what_is_wrong(text: str, hint: str) -> None:
    with pytest.raises(RuleError, match=hint.replace("(", r"\(").replace(")", r"\)")):
        Rule.parse(text)


def test_deny_wins_over_ask_and_ask_over_allow_whatever_the_order() -> None:
    rules = Permissions.from_lists(
        {
            "allow": ["execute_shell", "read_file"],
            "ask": ["execute_shell(rm *)", "read_file"],
            "deny": ["execute_shell(rm -rf *)"],
        }
    )
    assert rules.check("execute_shell", "ls -la").verdict == "allow"
    assert rules.check("execute_shell", "rm a.txt").verdict == "ask"
    assert rules.check("execute_shell", "rm -rf /").verdict == "deny"
    assert rules.check("read_file", "a").verdict == "ask"
    assert rules.check("write_to_file", "a").verdict is None


def test_a_rule_granted_for_the_session_allows_but_never_beats_the_file() -> None:
    rules = Permissions.from_lists({"ask": ["write_to_file(important/*)"]})
    rules.grant(Rule.parse("write_to_file"))
    granted = rules.check("write_to_file", "notes.txt")
    assert (granted.verdict, granted.granted) == ("allow", True)
    assert rules.check("write_to_file", "important/a.txt").verdict == "ask"


def test_the_main_argument_is_the_first_of_the_schema_else_the_first_given() -> None:
    assert main_argument({"text": "x", "filename": "a.txt"}, ["filename", "text"]) == "a.txt"
    assert main_argument({"timezone": "UTC", "x": 1}, None) == "UTC"
    assert main_argument({}, ["filename"]) is None
    assert main_argument({"args": ["-v", 2]}, ["args"]) == '["-v", 2]'


def test_whitespace_and_paths_cannot_slip_past_a_rule() -> None:
    assert main_argument({"command_line": "  rm   -rf  x "}, ["command_line"]) == "rm -rf x"
    names = ["filename"]
    assert main_argument({"filename": "./secret/../secret/a"}, names) == "secret/a"
    root = "/home/u/auto_gpt_workspace"
    assert main_argument({"filename": f"{root}/secret/a"}, names, root=root) == "secret/a"
    assert main_argument({"filename": root}, names, root=root) == "."
    assert main_argument({"filename": "/etc/passwd"}, names, root=root) == "/etc/passwd"
    deny = Permissions.from_lists({"deny": ["delete_file(secret/*)"]})
    sneaky = main_argument({"filename": "./x/../secret/a"}, names, root=root)
    assert deny.check("delete_file", sneaky).verdict == "deny"


def test_always_allow_grants_the_command_but_for_the_shell_only_the_program() -> None:
    assert rule_for_session("read_file", "a.txt").text == "read_file"
    assert rule_for_session("mcp__time__get_current_time", "UTC").text == (
        "mcp__time__get_current_time"
    )
    shell = rule_for_session("execute_shell", "ls -la")
    assert shell.text == "execute_shell(ls *)"
    assert shell.matches("execute_shell", "ls") and shell.matches("execute_shell", "ls x")
    assert not shell.matches("execute_shell", "rm x")
    assert Rule.parse(shell.text) == shell


def test_an_escaped_text_matches_only_itself() -> None:
    pattern = escape("a*b?[c]")
    assert Rule("x", "x", pattern).matches("x", "a*b?[c]")
    assert not Rule("x", "x", pattern).matches("x", "aXXb?[c]")


def test_the_rules_in_force_are_described_one_line_per_list() -> None:
    rules = Permissions.from_lists({"allow": ["read_file", "list_files"], "deny": ["delete_file"]})
    rules.grant(Rule.parse("write_to_file"))
    assert rules.describe() == [
        "deny: delete_file",
        "allow: read_file, list_files",
        "allowed this session: write_to_file",
    ]
