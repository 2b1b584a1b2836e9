import pytest

from autogpt.agent.authorize import Authorizer, parse_answer


@pytest.mark.parametrize("answer", ["y", "Y", "  y  "])
def test_y_runs_one_command(answer: str) -> None:
    decision = parse_answer(answer)
    assert (decision.kind, decision.count) == ("run", 1)


@pytest.mark.parametrize("answer", ["y -3", "y-3", "y - 3", "Y -3", "y  -  3"])
def test_y_dash_n_runs_n_commands(answer: str) -> None:
    decision = parse_answer(answer)
    assert (decision.kind, decision.count) == ("run", 3)


@pytest.mark.parametrize("answer", ["", "   ", "y -0", "y -x", "y --3", "y -", "y -3x"])
def test_invalid_answers_are_asked_again_with_a_reason(answer: str) -> None:
    decision = parse_answer(answer)
    assert decision.kind == "invalid"
    assert "'y -N'" in decision.text


def test_n_exits() -> None:
    assert parse_answer("n").kind == "exit"
    assert parse_answer("N").kind == "exit"


def test_other_text_is_feedback_word_for_word() -> None:
    decision = parse_answer("  请用中文写报告  ")
    assert decision.kind == "feedback"
    assert decision.text == "请用中文写报告"


def test_custom_keys_are_honoured() -> None:
    assert parse_answer("ok", authorise_key="ok", exit_key="quit").kind == "run"
    assert parse_answer("quit", authorise_key="ok", exit_key="quit").kind == "exit"
    assert parse_answer("y", authorise_key="ok", exit_key="quit").kind == "feedback"


def test_authorizer_counts_down_then_asks_again() -> None:
    auth = Authorizer()
    assert auth.must_ask()
    auth.grant(3)
    assert auth.consume() == 2
    assert not auth.must_ask()
    assert auth.consume() == 1
    assert auth.consume() == 0
    assert auth.must_ask()


def test_continuous_never_asks() -> None:
    assert not Authorizer(continuous=True).must_ask()


def test_a_means_always_when_offered_and_feedback_otherwise() -> None:
    assert parse_answer("a", always_key="a").kind == "always"
    assert parse_answer(" A ", always_key="a").kind == "always"
    assert parse_answer("a").kind == "feedback"
    # a key that is already the run or exit key is not taken from it
    assert parse_answer("a", authorise_key="a", always_key="a").kind == "run"
    assert "'a' to always allow" in parse_answer("", always_key="a").text
