"""A helper's conversation as its requests carry it: trimming keeps the opening, drops the
oldest exchanges first, and leaving them out for good (what the run state does on the event)
gives the very messages that were sent (what ``--resume`` relies on)."""

from __future__ import annotations

from autogpt.prompt.helper_chats import HelperChat, fit, opening_message


def _chat(exchanges: int) -> HelperChat:
    chat = HelperChat("1", "analyst", "compare", opening_message("analyst", "compare", "go"), "r0")
    chat.exchanges = [(f"m{i}", f"r{i}") for i in range(1, exchanges + 1)]
    return chat


def _contents(chat: HelperChat, new: str | None = None, leave_out: int = 0) -> list[str]:
    return [m["content"] for m in chat.messages(new, leave_out=leave_out)]


def test_the_opening_carries_name_task_and_prompt() -> None:
    assert opening_message("writer", "write the report", "Start with prices.") == (
        "You are writer. Your task is as follows: write the report\n\nStart with prices."
    )


def test_leaving_out_drops_the_first_reply_then_the_oldest_exchanges_and_notes_how_many() -> None:
    chat = _chat(3)
    assert _contents(chat, "new")[1:] == ["r0", "m1", "r1", "m2", "r2", "m3", "r3", "new"]
    trimmed = _contents(chat, "new", leave_out=2)
    assert trimmed[1:] == ["m2", "r2", "m3", "r3", "new"]
    assert trimmed[0].startswith("You are analyst.")
    assert trimmed[0].endswith("the 2 oldest exchange(s) of this conversation were left out to "
                               "fit the context window; the most recent ones follow.]")  # fmt: skip


def test_leaving_out_for_good_gives_the_messages_that_were_sent() -> None:
    chat = _chat(4)
    sent = chat.messages("m5", leave_out=3)
    chat.leave_out(3)
    chat.exchanges.append(("m5", "r5"))
    assert chat.messages()[:-1] == sent
    assert chat.dropped == 3 and chat.first_reply is None
    chat.leave_out(1)
    assert _contents(chat)[0].count("the 4 oldest") == 1


def test_fit_leaves_out_as_few_as_needed_and_none_when_the_new_message_alone_is_too_long() -> None:
    chat = _chat(4)

    def count(messages: list[dict[str, str]]) -> int:
        return len(messages)

    assert fit(chat, "new", count, room=100) == 0
    assert fit(chat, "new", count, room=6) == 3  # the opening, m3 r3 m4 r4, the new one
    assert fit(chat, "new", count, room=2) == 5
    assert fit(chat, "new", count, room=1) is None
