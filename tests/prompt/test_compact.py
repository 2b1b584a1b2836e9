import json

from autogpt.prompt.compact import compact
from autogpt.prompt.context import Turn


def _turn(text: str, result: str) -> Turn:
    reply = {"thoughts": {"text": "long thoughts " * 30},
             "command": {"name": "write_to_file", "args": {"filename": "r.md", "text": text}}}
    return Turn([{"role": "assistant", "content": json.dumps(reply)},
                 {"role": "user", "content": result}])


def test_compact_keeps_the_command_and_the_head_of_the_result():
    short = compact(_turn("x" * 1000, "Command write_to_file returned: " + "y" * 2000))
    assistant = json.loads(short.messages[0]["content"])
    assert "thoughts" not in assistant
    assert assistant["command"]["name"] == "write_to_file"
    assert assistant["command"]["args"]["filename"] == "r.md"
    assert assistant["command"]["args"]["text"].endswith("[1,000 characters]")
    result = short.messages[1]["content"]
    assert result.startswith("Command write_to_file returned: yyy")
    assert "2,032 characters in all" in result


def test_short_results_are_kept_word_for_word():
    turn = _turn("x", "Command write_to_file returned: ok")
    assert compact(turn).messages[1] == turn.messages[1]


def test_tool_call_turns_keep_their_call_ids():
    turn = Turn([
        {"role": "assistant", "content": "{}", "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "read_file", "arguments": '{"filename": "a.txt"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "z" * 1000}])
    short = compact(turn)
    assert short.messages[0]["tool_calls"][0]["id"] == "call_1"
    assert short.messages[1]["tool_call_id"] == "call_1"
    assert len(short.messages[1]["content"]) < 400
