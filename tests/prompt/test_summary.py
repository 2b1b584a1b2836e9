"""The running summary's request and text: within the fast model's window, whatever is folded."""

from __future__ import annotations

from autogpt.llm.tokens import TokenCounter
from autogpt.prompt.summary import INSTRUCTION, summary_request, summary_text
from autogpt.prompt.turns import Turn
from autogpt.reply.parser import Proposal, Thoughts

COUNTER = TokenCounter("cl100k_base")


def _turn(i: int, result: str) -> Turn:
    proposal = Proposal(Thoughts(text=f"step {i}"), "read_file", {"filename": f"{i}.txt"})
    return Turn(i, proposal, result)


def test_the_request_fits_the_window_however_many_turns_are_folded() -> None:
    turns = [_turn(i, "Command read_file returned: " + "word " * 2000) for i in range(20)]
    request = summary_request(
        model="m", limit=2000, reply_tokens=200, counter=COUNTER, previous="I began.", turns=turns
    )
    assert COUNTER.messages(request.messages) + request.max_tokens <= 2000
    assert request.max_tokens == 200 and request.purpose == "summary"
    body = request.messages[1]["content"]
    assert body.startswith("Current summary:\nI began.")
    assert "step 0 -> read_file" in body and "\n[...]\n" in body  # the head, the cut, the tail
    assert body.rstrip().endswith("word")
    assert request.messages[0]["content"] == INSTRUCTION.format(words=100)


def test_a_short_history_goes_whole_with_its_results() -> None:
    turns = [_turn(1, "Command read_file returned: 42 rows"), _turn(2, "Human feedback: 用中文")]
    request = summary_request(
        model="m", limit=4000, reply_tokens=400, counter=COUNTER, previous=None, turns=turns
    )
    body = request.messages[1]["content"]
    assert "(nothing yet)" in body
    assert "42 rows" in body and "Human feedback: 用中文" in body


def test_an_empty_reply_keeps_the_previous_summary() -> None:
    assert summary_text("  ", "I read a.txt.", 100, COUNTER) == "I read a.txt."
    assert summary_text(None, None, 100, COUNTER) == ""


def test_a_summary_longer_than_its_share_is_cut_to_it() -> None:
    text = summary_text("I did things. " * 500, None, 50, COUNTER)
    assert COUNTER.text(text) <= 50
    assert text.startswith("I did things.") and "[...]" in text


def test_every_folded_turn_reaches_the_request_when_they_do_not_all_fit() -> None:
    """A large batch is shared out: each turn's head (its thought, command and the start of its
    result) is in the request, not only the first turns and the last."""
    turns = [_turn(i, f"Command read_file returned: row-{i} " + "word " * 400) for i in range(12)]
    request = summary_request(
        model="m", limit=2000, reply_tokens=200, counter=COUNTER, previous=None, turns=turns
    )
    assert COUNTER.messages(request.messages) + request.max_tokens <= 2000
    body = request.messages[1]["content"]
    for i in range(12):
        assert f"step {i} -> read_file" in body and f"row-{i} " in body, f"turn {i} left out"
