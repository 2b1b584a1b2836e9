"""parse_reply: every malformation models produce, and what the model is told when it fails."""

from __future__ import annotations

import json

import pytest

from autogpt.errors import ReplyError
from autogpt.llm.types import ToolCall
from autogpt.reply import Proposal, Thoughts, parse_reply

COMMANDS = {
    "read_file": ["filename", "offset", "limit"],
    "write_to_file": ["filename", "text"],
    "append_to_file": ["filename", "text"],
    "web_search": ["query", "num_results"],
    "browse_website": ["url", "question"],
    "task_complete": ["reason"],
    "list_files": ["directory"],
}
READ_A = '"command": {"name": "read_file", "args": {"filename": "a.txt"}}'


def parse(text: str | None, *tool_calls: ToolCall) -> Proposal:
    return parse_reply(text, tool_calls, commands=COMMANDS)


def test_well_formed_reply_gives_thoughts_command_and_args() -> None:
    reply = json.dumps(
        {
            "thoughts": {
                "text": "I should read the notes.",
                "reasoning": "They hold the goal.",
                "plan": "- read notes.txt\n- summarise them\n",
                "criticism": "Be brief.",
                "speak": "Reading the notes.",
            },
            "command": {"name": "read_file", "args": {"filename": "notes.txt"}},
        }
    )
    proposal = parse(reply)
    assert proposal == Proposal(
        thoughts=Thoughts(
            text="I should read the notes.",
            reasoning="They hold the goal.",
            plan=("read notes.txt", "summarise them"),
            criticism="Be brief.",
            speak="Reading the notes.",
        ),
        command="read_file",
        args={"filename": "notes.txt"},
    )


def test_plan_given_as_list_is_kept_in_order() -> None:
    reply = '{"thoughts": {"plan": ["- first", "second", ""]}, ' + READ_A + "}"
    assert parse(reply).thoughts.plan == ("first", "second")


def test_code_fenced_reply_runs_intended_command() -> None:
    reply = "```json\n{" + READ_A + "}\n```"
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})


def test_prose_before_and_after_json_is_ignored() -> None:
    reply = 'Sure! Here is my answer:\n{"thoughts": {"text": "t"}, ' + READ_A + "}\nHope it helps."
    proposal = parse(reply)
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "read_file",
        {"filename": "a.txt"},
        "t",
    )


def test_trailing_comma_is_repaired() -> None:
    reply = '{"command": {"name": "read_file", "args": {"filename": "a.txt",},},}'
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})
    assert "repaired JSON" in proposal.notes


def test_python_dict_style_reply() -> None:
    reply = (
        "{'thoughts': {'text': 'look around', 'plan': None}, "
        "'command': {'name': 'list_files', 'args': {'directory': '.', 'recursive': True}}}"
    )
    proposal = parse(reply)
    assert proposal.command == "list_files"
    assert proposal.args == {"directory": ".", "recursive": True}
    assert proposal.thoughts == Thoughts(text="look around")


def test_raw_newline_in_string() -> None:
    reply = (
        '{"command": {"name": "write_to_file", '
        '"args": {"filename": "a.py", "text": "def f():\n    return 1\n"}}}'
    )
    proposal = parse(reply)
    assert proposal.args == {"filename": "a.py", "text": "def f():\n    return 1\n"}
    assert proposal.notes == ()


def test_missing_outer_braces() -> None:
    reply = '"thoughts": {"text": "t"}, ' + READ_A
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})
    assert proposal.thoughts.text == "t"
    assert "added missing outer braces" in proposal.notes


def test_missing_opening_brace_only() -> None:
    proposal = parse('"thoughts": {"text": "t"}, ' + READ_A + "}")
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "read_file",
        {"filename": "a.txt"},
        "t",
    )


def test_truncated_reply_recovers_command() -> None:
    reply = (
        '{"thoughts": {"text": "t", "reasoning": "r"}, "command": {"name": "write_to_file", '
        '"args": {"filename": "a.txt", "text": "hello wor'
    )
    proposal = parse(reply)
    assert proposal.command == "write_to_file"
    assert proposal.args == {"filename": "a.txt", "text": "hello wor"}
    assert proposal.thoughts == Thoughts(text="t", reasoning="r")
    assert "reply was cut off; recovered the command" in proposal.notes


def test_reply_cut_off_before_command_raises_reply_error_saying_cut_off() -> None:
    with pytest.raises(ReplyError, match="cut off before the command"):
        parse('{"thoughts": {"text": "a very long thought that never')


def test_reply_cut_off_inside_command_name_is_not_guessed() -> None:
    with pytest.raises(ReplyError, match="cut off"):
        parse('{"thoughts": {"text": "t"}, "command": {"name": "write_to')


def test_reply_cut_off_inside_the_args_is_not_guessed() -> None:
    with pytest.raises(ReplyError, match="cut off"):
        parse('{"thoughts": {"text": "t"}, "command": {"name": "read_file", "args": {"filen')


def test_reply_cut_off_in_the_first_key_says_cut_off() -> None:
    with pytest.raises(ReplyError, match="cut off"):
        parse('{"thou')


def test_reply_cut_off_after_the_command_keeps_it() -> None:
    proposal = parse("{" + READ_A + ', "thoughts": {"text": "a long thought that never ends')
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})
    assert proposal.thoughts.text == "a long thought that never ends"


def test_prose_with_an_unbalanced_quote_says_no_json() -> None:
    with pytest.raises(ReplyError, match="no JSON object"):
        parse('He said "hello and left.')


def test_garbage_that_breaks_json_repair_raises_reply_error() -> None:
    """json_repair's internal asserts fail on this input; it must not escape as a crash."""
    with pytest.raises(ReplyError):
        parse("name`{-'```json{abcommand-\\\n```json{}commandacommand")


def test_command_at_top_level() -> None:
    proposal = parse('{"name": "read_file", "args": {"filename": "a.txt"}}')
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})


def test_command_as_string_with_args_beside_it() -> None:
    reply = '{"command": "write_to_file", "args": {"filename": "a", "text": "b"}}'
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("write_to_file", {"filename": "a", "text": "b"})


def test_command_as_string_with_arguments_key() -> None:
    reply = '{"thoughts": {"text": "x"}, "command": "read_file", "arguments": {"filename": "a"}}'
    proposal = parse(reply)
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "read_file",
        {"filename": "a"},
        "x",
    )


def test_command_without_args_means_no_arguments() -> None:
    proposal = parse('{"thoughts": {"text": "x"}, "command": "task_complete"}')
    assert (proposal.command, proposal.args) == ("task_complete", {})


def test_args_given_as_json_string() -> None:
    reply = '{"command": {"name": "read_file", "args": "{\\"filename\\": \\"a.txt\\"}"}}'
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})
    assert "args given as a JSON string" in proposal.notes


def test_args_inline_in_command_object() -> None:
    proposal = parse('{"command": {"name": "read_file", "filename": "a.txt"}}')
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})


def test_command_keyed_by_its_name() -> None:
    proposal = parse('{"command": {"read_file": {"filename": "a.txt"}}}')
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})


def test_several_objects_picks_the_one_with_a_command() -> None:
    reply = 'First {"note": 1} and then {' + READ_A + "}"
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == ("read_file", {"filename": "a.txt"})


def test_two_complete_replies_run_the_first() -> None:
    first = '{"thoughts": {"text": "one"}, ' + READ_A + "}"
    second = '{"thoughts": {"text": "two"}, "command": {"name": "task_complete", "args": {}}}'
    proposal = parse(first + "\n" + second)
    assert (proposal.command, proposal.thoughts.text) == ("read_file", "one")


def test_thoughts_and_command_in_separate_fences() -> None:
    reply = '```json\n{"thoughts": {"text": "x"}}\n```\nthen\n```json\n{' + READ_A + "}\n```"
    proposal = parse(reply)
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "read_file",
        {"filename": "a.txt"},
        "x",
    )


def test_code_fence_inside_a_json_string_is_kept() -> None:
    text = "```python\nprint(1)\n```"
    reply = json.dumps(
        {"command": {"name": "write_to_file", "args": {"filename": "a.md", "text": text}}}
    )
    assert parse(reply).args == {"filename": "a.md", "text": text}


def test_command_nested_in_thoughts_is_found() -> None:
    reply = '{"thoughts": {"text": "t", ' + READ_A + "}}"
    proposal = parse(reply)
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "read_file",
        {"filename": "a.txt"},
        "t",
    )


def test_thoughts_flattened_at_top_level() -> None:
    proposal = parse('{"text": "t", "reasoning": "r", ' + READ_A + "}")
    assert proposal.thoughts == Thoughts(text="t", reasoning="r")


def test_thoughts_given_as_a_string() -> None:
    assert parse('{"thoughts": "just this", ' + READ_A + "}").thoughts == Thoughts(text="just this")


def test_missing_thoughts_give_empty_thoughts() -> None:
    assert parse("{" + READ_A + "}").thoughts == Thoughts()


def test_chinese_text_round_trips() -> None:
    args = {"filename": "报告/总结.txt", "text": "第一行：你好，世界！\n第二行 “引号” 和 \\ 反斜杠"}
    reply = json.dumps(
        {
            "thoughts": {"text": "写报告", "plan": "- 收集资料\n- 写总结"},
            "command": {"name": "write_to_file", "args": args},
        },
        ensure_ascii=False,
    )
    proposal = parse(reply)
    assert proposal.args == args
    assert proposal.thoughts == Thoughts(text="写报告", plan=("收集资料", "写总结"))


def test_chinese_text_round_trips_through_repair() -> None:
    reply = (
        "{'command': {'name': 'write_to_file',"
        " 'args': {'filename': '笔记.md', 'text': '中文内容，完整保留。'},},}"
    )
    proposal = parse(reply)
    assert proposal.args == {"filename": "笔记.md", "text": "中文内容，完整保留。"}
    assert "repaired JSON" in proposal.notes


def test_escaped_chinese_is_decoded() -> None:
    reply = '{"command": {"name": "read_file", "args": {"filename": "\\u4f60\\u597d.txt"}}}'
    assert parse(reply).args == {"filename": "你好.txt"}


def test_prose_only_reply_raises_reply_error_saying_no_json() -> None:
    with pytest.raises(ReplyError) as caught:
        parse("I will now read the file and then summarise it.")
    assert str(caught.value) == (
        "Your reply contained no JSON object. Reply with exactly one JSON object in the format"
        " given in the instructions (thoughts and command)."
    )


@pytest.mark.parametrize("text", ["", "   \n", None])
def test_empty_reply_raises_reply_error_saying_empty(text: str | None) -> None:
    with pytest.raises(ReplyError, match="Your reply was empty"):
        parse(text)


def test_json_without_command_raises_saying_no_command() -> None:
    with pytest.raises(ReplyError, match='no "command" with a "name"'):
        parse('{"thoughts": {"text": "thinking only"}}')


def test_empty_command_name_raises_saying_no_command() -> None:
    with pytest.raises(ReplyError, match='no "command" with a "name"'):
        parse('{"command": {"name": "", "args": {}}}')


def test_args_that_are_a_list_raise_reply_error() -> None:
    with pytest.raises(ReplyError, match="\"args\" of command 'read_file' must be a JSON object"):
        parse('{"command": {"name": "read_file", "args": ["a.txt"]}}')


def test_command_name_case_and_hyphens_are_folded() -> None:
    reply = '{"command": {"name": "Write-To-File", "args": {"filename": "a", "text": "b"}}}'
    proposal = parse(reply)
    assert proposal.command == "write_to_file"
    assert "command name 'Write-To-File' -> write_to_file" in proposal.notes


def test_alias_google_maps_to_web_search() -> None:
    proposal = parse('{"command": {"name": "google", "args": {"query": "weather"}}}')
    assert (proposal.command, proposal.args) == ("web_search", {"query": "weather"})
    assert "command alias google -> web_search" in proposal.notes


def test_alias_shutdown_maps_to_task_complete() -> None:
    proposal = parse('{"command": {"name": "shutdown", "args": {"reason": "done"}}}')
    assert (proposal.command, proposal.args) == ("task_complete", {"reason": "done"})


def test_alias_is_not_applied_when_the_name_is_a_known_command() -> None:
    commands = {**COMMANDS, "google": ["query"]}
    reply = '{"command": {"name": "google", "args": {"query": "x"}}}'
    assert parse_reply(reply, commands=commands).command == "google"


def test_alias_is_not_applied_when_the_target_is_unknown() -> None:
    commands = {"read_file": ["filename"]}
    reply = '{"command": {"name": "google", "args": {"q": "x"}}}'
    proposal = parse_reply(reply, commands=commands)
    assert (proposal.command, proposal.args) == ("google", {"q": "x"})


def test_unknown_command_passes_through_unchanged() -> None:
    proposal = parse('{"command": {"name": "Frobnicate", "args": {"path": "x"}}}')
    assert (proposal.command, proposal.args, proposal.notes) == ("Frobnicate", {"path": "x"}, ())


def test_argument_alias_path_becomes_filename() -> None:
    reply = '{"command": {"name": "write_file", "args": {"path": "a.txt", "content": "hi"}}}'
    proposal = parse(reply)
    assert (proposal.command, proposal.args) == (
        "write_to_file",
        {"filename": "a.txt", "text": "hi"},
    )
    assert "argument alias path -> filename" in proposal.notes


def test_argument_alias_path_becomes_directory_for_list_files() -> None:
    proposal = parse('{"command": {"name": "ls", "args": {"path": "src"}}}')
    assert (proposal.command, proposal.args) == ("list_files", {"directory": "src"})


def test_argument_alias_never_overwrites_a_given_argument() -> None:
    reply = '{"command": {"name": "read_file", "args": {"filename": "a", "path": "b"}}}'
    assert parse(reply).args == {"filename": "a", "path": "b"}


def test_argument_alias_not_applied_when_command_takes_the_alias_name() -> None:
    commands = {"start_agent": ["name", "task", "filename"]}
    reply = '{"command": {"name": "start_agent", "args": {"name": "helper", "task": "t"}}}'
    assert parse_reply(reply, commands=commands).args == {"name": "helper", "task": "t"}


def test_tool_call_gives_command_args_and_id() -> None:
    call = ToolCall("call_1", "write_to_file", '{"filename": "a.txt", "text": "hi"}')
    proposal = parse(None, call)
    assert proposal == Proposal(
        thoughts=Thoughts(),
        command="write_to_file",
        args={"filename": "a.txt", "text": "hi"},
        tool_call_id="call_1",
    )


def test_tool_call_arguments_with_trailing_comma() -> None:
    proposal = parse("", ToolCall("c", "write_to_file", '{"filename": "a", "text": "b",}'))
    assert (proposal.command, proposal.args) == ("write_to_file", {"filename": "a", "text": "b"})
    assert "repaired JSON" in proposal.notes


def test_tool_call_arguments_with_raw_newline() -> None:
    proposal = parse("", ToolCall("c", "write_to_file", '{"filename": "a", "text": "x\ny\n"}'))
    assert proposal.args == {"filename": "a", "text": "x\ny\n"}


def test_tool_call_thoughts_come_from_message_json() -> None:
    text = '{"thoughts": {"text": "t", "plan": ["a", "b"]}}'
    proposal = parse(text, ToolCall("c", "task_complete", '{"reason": "done"}'))
    assert proposal.thoughts == Thoughts(text="t", plan=("a", "b"))
    assert (proposal.command, proposal.args) == ("task_complete", {"reason": "done"})


def test_tool_call_thoughts_come_from_prose() -> None:
    proposal = parse(
        "  I will list the files.  ", ToolCall("c", "list_files", '{"directory": "."}')
    )
    assert proposal.thoughts == Thoughts(text="I will list the files.")


def test_tool_call_with_empty_arguments_has_no_args() -> None:
    assert parse(None, ToolCall("c", "task_complete", "")).args == {}


def test_tool_call_arguments_not_an_object_raise_reply_error() -> None:
    with pytest.raises(ReplyError) as caught:
        parse(None, ToolCall("c", "write_to_file", "filename=a.txt"))
    assert str(caught.value) == (
        "The tool call 'write_to_file' had arguments that are not a JSON object: filename=a.txt."
        ' Send the arguments as one JSON object, e.g. {"filename": ..., "text": ...}.'
    )


def test_tool_call_arguments_encoded_twice() -> None:
    call = ToolCall("c", "read_file", json.dumps(json.dumps({"filename": "a.txt"})))
    assert parse(None, call).args == {"filename": "a.txt"}


def test_tool_call_args_wrapper_is_unwrapped() -> None:
    call = ToolCall("c", "write_to_file", '{"args": {"path": "a", "text": "b"}}')
    assert parse(None, call).args == {"filename": "a", "text": "b"}


def test_tool_call_name_with_functions_prefix() -> None:
    assert parse(None, ToolCall("c", "functions.read_file", '{"filename": "a"}')).command == (
        "read_file"
    )


def test_tool_call_alias_and_argument_alias() -> None:
    proposal = parse(None, ToolCall("c", "google", '{"q": "news"}'))
    assert (proposal.command, proposal.args) == ("web_search", {"query": "news"})


def test_several_tool_calls_use_the_first_and_note_the_rest() -> None:
    first = ToolCall("c1", "read_file", '{"filename": "a"}')
    second = ToolCall("c2", "list_files", '{"directory": "."}')
    proposal = parse(None, first, second)
    assert (proposal.command, proposal.tool_call_id) == ("read_file", "c1")
    assert "used the first of 2 tool calls; ignored: list_files" in proposal.notes


def test_tool_call_wins_over_a_command_in_the_text() -> None:
    text = '{"thoughts": {"text": "t"}, ' + READ_A + "}"
    proposal = parse(text, ToolCall("c", "list_files", '{"directory": "."}'))
    assert (proposal.command, proposal.args, proposal.thoughts.text) == (
        "list_files",
        {"directory": "."},
        "t",
    )


def test_tool_call_without_a_name_raises_reply_error() -> None:
    with pytest.raises(ReplyError, match="no function name"):
        parse(None, ToolCall("c", " ", "{}"))
