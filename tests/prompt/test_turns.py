"""The one renderer of past turns: brief and compact views, in JSON mode and tool mode."""

from __future__ import annotations

import json

from autogpt.prompt.turns import Call, Turn, brief, compact, describe, plan_of
from autogpt.reply.parser import Proposal, Thoughts


def _proposal(
    command: str, args: dict[str, object], *, call_id: str | None = None, plan: tuple[str, ...] = ()
) -> Proposal:
    return Proposal(Thoughts(text="long thoughts " * 30, plan=plan), command, dict(args), call_id)


def _write(text: str, result: str) -> Turn:
    return Turn(1, _proposal("write_to_file", {"filename": "r.md", "text": text}), result)


def test_compact_keeps_the_command_and_the_head_of_the_result() -> None:
    short = compact(_write("x" * 500, "Command write_to_file returned: " + "y" * 2000))
    assistant = json.loads(short.messages[0]["content"])
    assert "thoughts" not in assistant
    assert assistant["command"]["name"] == "write_to_file"
    assert assistant["command"]["args"]["filename"] == "r.md"
    assert assistant["command"]["args"]["text"] == "x" * 120 + "... [320 characters]"
    result = short.messages[1]["content"]
    assert result.startswith("Command write_to_file returned: yyy")
    assert "2,032 characters in all" in result


def test_long_written_texts_are_elided_in_every_view() -> None:
    turn = _write("x" * 1000, "Command write_to_file returned: ok")
    carried = json.loads(brief(turn).messages[0]["content"])
    assert carried["command"]["args"]["text"] == "[1,000 characters, see r.md]"


def test_short_results_are_kept_word_for_word() -> None:
    turn = _write("x", "Command write_to_file returned: ok")
    assert compact(turn).messages[1] == {"role": "user", "content": turn.result}


def test_tool_call_turns_keep_their_call_ids_and_answer_every_call() -> None:
    proposal = _proposal("read_file", {"filename": "a.txt"}, call_id="call_1")
    turn = Turn(1, proposal, "z" * 1000, calls=(Call("call_2", "list_files", "{}"),))
    short = compact(turn)
    assert [c["id"] for c in short.messages[0]["tool_calls"]] == ["call_1", "call_2"]
    assert short.messages[1]["tool_call_id"] == "call_1"
    assert len(short.messages[1]["content"]) < 400
    assert short.messages[2] == {
        "role": "tool",
        "tool_call_id": "call_2",
        "content": "Not run: one command runs per cycle.",
    }


def test_brief_form_carries_the_command_without_the_thoughts() -> None:
    turn = _write("x" * 50, "Command write_to_file returned: ok")
    carried = brief(turn)
    assert json.loads(carried.messages[0]["content"]) == {
        "command": {"name": "write_to_file", "args": {"filename": "r.md", "text": "x" * 50}}
    }
    assert carried.messages[1] == {"role": "user", "content": turn.result}
    assert brief(turn) is carried  # computed once: the same text in every later request


def test_brief_form_keeps_an_unparsed_reply_as_it_was() -> None:
    turn = Turn(1, None, "Your reply could not be used: no JSON", text="I am not JSON")
    assert brief(turn).messages == [
        {"role": "assistant", "content": "I am not JSON"},
        {"role": "user", "content": "Your reply could not be used: no JSON"},
    ]


def test_brief_form_of_a_tool_call_turn_has_no_thoughts_text_and_keeps_the_call() -> None:
    turn = Turn(1, _proposal("read_file", {"filename": "a.txt"}, call_id="call_1"), "abc")
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "read_file", "arguments": '{"filename": "a.txt"}'},
    }
    carried = brief(turn)
    assert carried.messages[0] == {"role": "assistant", "content": "", "tool_calls": [call]}
    assert carried.messages[1] == {"role": "tool", "tool_call_id": "call_1", "content": "abc"}


def test_plan_of_gives_the_plan_as_bullet_lines() -> None:
    turn = Turn(1, _proposal("read_file", {"filename": "a"}, plan=("read a", "write b")), "ok")
    assert plan_of(turn) == "- read a\n- write b"
    assert plan_of(Turn(2, None, "bad", text="not json")) == ""


def test_plan_of_a_huge_plan_is_cut_to_fit_every_request() -> None:
    turn = Turn(1, _proposal("read_file", {"filename": "a"}, plan=("step " * 20_000,)), "ok")
    plan = plan_of(turn)
    assert plan.startswith("- step step") and len(plan) < 1300
    assert "100,001 characters in all" in plan


def test_deeply_nested_unparsed_reply_is_carried_as_text() -> None:
    turn = Turn(1, None, "Your reply could not be used", text="[" * 1500)
    assert brief(turn).messages[0]["content"] == "[" * 1500
    assert compact(turn).messages[0]["content"] == "[" * 300
    assert plan_of(turn) == ""


def test_the_summary_is_told_the_thought_the_command_and_the_result() -> None:
    turn = Turn(3, _proposal("read_file", {"filename": "a.txt"}), "Command read_file returned: hi")
    text = describe(turn)
    assert "read_file" in text and '"filename": "a.txt"' in text
    assert "long thoughts" in text and "Command read_file returned: hi" in text
