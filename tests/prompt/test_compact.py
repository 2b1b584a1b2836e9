import json

from autogpt.prompt.compact import brief, compact, plan_of
from autogpt.prompt.context import Turn


def _turn(text: str, result: str) -> Turn:
    reply = {
        "thoughts": {"text": "long thoughts " * 30},
        "command": {"name": "write_to_file", "args": {"filename": "r.md", "text": text}},
    }
    return Turn(
        [{"role": "assistant", "content": json.dumps(reply)}, {"role": "user", "content": result}]
    )


def test_compact_keeps_the_command_and_the_head_of_the_result() -> None:
    short = compact(_turn("x" * 1000, "Command write_to_file returned: " + "y" * 2000))
    assistant = json.loads(short.messages[0]["content"])
    assert "thoughts" not in assistant
    assert assistant["command"]["name"] == "write_to_file"
    assert assistant["command"]["args"]["filename"] == "r.md"
    assert assistant["command"]["args"]["text"].endswith("[1,000 characters]")
    result = short.messages[1]["content"]
    assert result.startswith("Command write_to_file returned: yyy")
    assert "2,032 characters in all" in result


def test_short_results_are_kept_word_for_word() -> None:
    turn = _turn("x", "Command write_to_file returned: ok")
    assert compact(turn).messages[1] == turn.messages[1]


def test_tool_call_turns_keep_their_call_ids() -> None:
    turn = Turn(
        [
            {
                "role": "assistant",
                "content": "{}",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "read_file", "arguments": '{"filename": "a.txt"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "z" * 1000},
        ]
    )
    short = compact(turn)
    assert short.messages[0]["tool_calls"][0]["id"] == "call_1"
    assert short.messages[1]["tool_call_id"] == "call_1"
    assert len(short.messages[1]["content"]) < 400


def test_brief_form_carries_the_command_without_the_thoughts() -> None:
    turn = _turn("x" * 50, "Command write_to_file returned: ok")
    carried = brief(turn)
    assert json.loads(carried.messages[0]["content"]) == {
        "command": {"name": "write_to_file", "args": {"filename": "r.md", "text": "x" * 50}}
    }
    assert carried.messages[1] == turn.messages[1]
    assert brief(turn) is carried  # computed once: the same text in every later request


def test_brief_form_keeps_an_unparsed_reply_as_it_was() -> None:
    turn = Turn(
        [
            {"role": "assistant", "content": "I am not JSON"},
            {"role": "user", "content": "Your reply could not be used: no JSON"},
        ]
    )
    assert brief(turn).messages == turn.messages


def test_brief_form_of_a_tool_call_turn_drops_the_thoughts_text_and_keeps_the_call() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "read_file", "arguments": '{"filename": "a.txt"}'},
    }
    turn = Turn(
        [
            {"role": "assistant", "content": '{"thoughts": {"text": "hm"}}', "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "abc"},
        ]
    )
    carried = brief(turn)
    assert carried.messages[0] == {"role": "assistant", "content": "", "tool_calls": [call]}
    assert carried.messages[1] == turn.messages[1]


def test_plan_of_reads_the_plan_as_bullet_lines() -> None:
    reply = {
        "thoughts": {"text": "t", "plan": "- read a\n- write b"},
        "command": {"name": "read_file", "args": {"filename": "a"}},
    }
    turn = Turn(
        [{"role": "assistant", "content": json.dumps(reply)}, {"role": "user", "content": "ok"}]
    )
    assert plan_of(turn) == "- read a\n- write b"
    listed = {**reply, "thoughts": {"plan": ["read a", "write b"]}}
    turn.messages[0] = {"role": "assistant", "content": json.dumps(listed)}
    assert plan_of(turn) == "- read a\n- write b"
    assert plan_of(Turn([{"role": "assistant", "content": "not json"}])) == ""


def test_plan_of_a_huge_plan_is_cut_to_fit_every_request() -> None:
    reply = {
        "thoughts": {"plan": "- " + "step " * 20_000},
        "command": {"name": "read_file", "args": {"filename": "a"}},
    }
    plan = plan_of(Turn([{"role": "assistant", "content": json.dumps(reply)}]))
    assert plan.startswith("- step step") and len(plan) < 1300
    assert "100,001 characters in all" in plan


def test_deeply_nested_unparsed_reply_is_carried_as_text() -> None:
    turn = Turn(
        [
            {"role": "assistant", "content": "[" * 1500},
            {"role": "user", "content": "Your reply could not be used"},
        ]
    )
    assert brief(turn).messages[0]["content"] == "[" * 1500
    assert compact(turn).messages[0]["content"] == "[" * 300
    assert plan_of(turn) == ""
