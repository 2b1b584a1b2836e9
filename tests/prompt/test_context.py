from autogpt.llm.tokens import TokenCounter
from autogpt.prompt.context import (
    HIGH_WATER,
    LOW_WATER,
    Budget,
    Fit,
    TurnView,
    assemble,
    fit,
    reply_reserve,
    summary_reserve,
)
from autogpt.prompt.turns import Turn, describe

COUNTER = TokenCounter("cl100k_base")


def turn(i: int, size: int = 400) -> TurnView:
    return TurnView(
        [
            {"role": "assistant", "content": f'{{"command": {{"name": "read_file{i}"}}}}'},
            {"role": "user", "content": f"Command read_file returned: {'word ' * size}"},
        ],
        i,
    )


def test_everything_fits_no_drop_and_the_result_comes_last() -> None:
    f = fit(
        system="sys",
        summary=None,
        turns=[turn(1, 10)],
        tail="next?",
        budget=Budget(4000, 1000),
        counter=COUNTER,
    )
    assert f.drop == 0
    assert [m["role"] for m in f.messages] == ["system", "user", "assistant", "user"]
    assert f.messages[-1]["content"].startswith("Command read_file returned")
    assert f.messages[-1]["content"].endswith("next?")


def test_overflowing_history_drops_oldest_turns_down_to_the_low_water_mark() -> None:
    turns = [turn(i) for i in range(10)]
    f = fit(
        system="sys",
        summary=None,
        turns=turns,
        tail="next?",
        budget=Budget(4000, 1000),
        counter=COUNTER,
    )
    assert f.drop > 0
    target = LOW_WATER * (f.room - summary_reserve(4000))
    assert f.history_tokens == sum(t.tokens(COUNTER) for t in turns[f.drop :]) <= target
    assert sum(t.tokens(COUNTER) for t in turns[f.drop - 1 :]) > target
    assert f.prompt_tokens + 1000 <= 4000


def test_the_history_is_crowded_only_past_the_high_water_mark_and_nothing_drops_before() -> None:
    def fitted(n: int) -> Fit:
        turns = [turn(i, 50) for i in range(n)]
        return fit(
            system="sys",
            summary=None,
            turns=turns,
            tail="t",
            budget=Budget(4000, 1000),
            counter=COUNTER,
        )

    fits = [fitted(n) for n in range(1, 60)]
    kept = [f for f in fits if not f.drop]  # nothing is dropped while the turns fit
    assert kept == fits[: len(kept)] and len(kept) < len(fits)
    crowded = [f.crowded for f in kept]
    assert crowded == sorted(crowded) and True in crowded and False in crowded
    for f in kept:
        assert f.crowded == (f.history_tokens > HIGH_WATER * f.room)


def test_the_newest_turn_is_always_kept_word_for_word() -> None:
    turns = [turn(i) for i in range(5)]
    f = fit(
        system="sys",
        summary="old",
        turns=turns,
        tail="t",
        budget=Budget(1500, 300),
        counter=COUNTER,
    )
    assert f.messages[-2] == turns[-1].messages[0]


def test_system_prompt_stays_first_and_unchanged_across_cycles() -> None:
    a = assemble("SYSTEM", None, [turn(1, 5)], "t")
    b = assemble("SYSTEM", None, [turn(1, 5), turn(2, 5)], "t")
    assert a[0] == b[0] == {"role": "system", "content": "SYSTEM"}
    assert a[:3] == b[:3]


def test_summary_opens_the_history() -> None:
    messages = assemble("S", "I read a.txt.", [], "next")
    assert messages[1]["content"].startswith("This reminds you of these events from your past:")


def test_reply_reserve_is_bounded() -> None:
    assert reply_reserve(1000, 4096) == 256
    assert reply_reserve(4000, 4096) == 800
    assert reply_reserve(128000, 16384) == 2048


def test_events_that_are_not_json_are_summarised_as_text() -> None:
    t = Turn(1, None, "Human feedback: 继续", text="not json at all {")
    assert describe(t) == "I decided: not json at all {\nHuman feedback: 继续"


def test_a_newest_turn_too_big_for_any_request_is_dropped_to_be_folded() -> None:
    turns = [turn(1, 10), turn(2, 5000)]
    f = fit(
        system="sys", summary=None, turns=turns, tail="t", budget=Budget(4000, 800), counter=COUNTER
    )
    assert f.drop == 2
    assert f.prompt_tokens + 800 <= 4000


def test_a_reasoning_model_gets_more_room_for_its_reply() -> None:
    """Its hidden reasoning counts against the cap: a quarter of the limit, up to 8,192."""
    assert reply_reserve(16000, 128000, reasoning=True) == 4000
    assert reply_reserve(128000, 128000, reasoning=True) == 8192
    assert reply_reserve(16000, 128000) == 2048
