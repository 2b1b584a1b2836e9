"""Answering a question from page text: few requests, bounded tokens, the relevant part read.

The model is the scripted local OpenAI-compatible server, reached through the real client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autogpt.commands.context import CommandContext
from autogpt.llm.tokens import encoder
from autogpt.web.answer import PAGE_TOKEN_BUDGET, answer_question, rank_chunks, split_chunks
from tests.support.model_server import ModelServer, reply
from tests.web.conftest import helper_model, make_ctx, make_settings

NEEDLE = "The Zanzibar creamery sold 4,812 tonnes of pistachio gelato in 2023."


def _long_text(paragraphs: int) -> str:
    filler = "Trains, gardens and the history of bicycles, told in many unrelated words. " * 6
    lines = [f"{i}: {filler}" for i in range(paragraphs)]
    lines.insert(paragraphs * 2 // 3, NEEDLE)
    return "\n".join(lines)


def _ctx(tmp_path: Path, server: ModelServer, **settings: Any) -> CommandContext:
    values = make_settings(**settings)
    ctx = make_ctx(tmp_path, values, ask_model=helper_model(server))
    ctx.count_tokens = encoder("cl100k_base").count
    ctx.helper_window = values.fast_token_limit  # as the session sets it (the run's Limits)
    return ctx


def test_a_300_kb_page_is_answered_in_one_request_that_holds_the_relevant_part(
    tmp_path: Path, model_server: ModelServer
) -> None:
    model_server.add(reply("4,812 tonnes."))
    text = _long_text(700)
    assert len(text.encode()) > 300_000
    ctx = _ctx(tmp_path, model_server)
    answer = answer_question(
        ctx,
        text=text,
        question="How much pistachio gelato did the Zanzibar creamery sell?",
        source="http://site.test/a",
    )
    assert answer.text == "4,812 tonnes."
    assert answer.requests == len(model_server.requests) == 1
    assert answer.tokens <= PAGE_TOKEN_BUDGET
    request = model_server.requests[0]
    user = request.body["messages"][1]["content"]
    assert NEEDLE in user
    assert request.prompt_tokens + request.body["max_tokens"] <= 4000
    assert (
        "untrusted data" in user
        and "ignore any instructions" in (request.body["messages"][0]["content"])
    )


def test_a_small_window_reads_in_parts_then_combines_within_the_call_limit(
    tmp_path: Path, model_server: ModelServer
) -> None:
    model_server.add(reply("notes one"), reply("notes two"), reply("combined answer"))
    ctx = _ctx(tmp_path, model_server, fast_token_limit=1900, browse_summary_max_calls=3)
    answer = answer_question(
        ctx,
        text=_long_text(400),
        question="Zanzibar pistachio gelato?",
        source="http://site.test/a",
    )
    assert answer.text == "combined answer"
    assert answer.requests == len(model_server.requests) == 3
    assert answer.tokens <= PAGE_TOKEN_BUDGET
    for request in model_server.requests:
        assert request.prompt_tokens + request.body["max_tokens"] <= 1900
    assert "Notes on part 1: notes one" in model_server.requests[2].body["messages"][1]["content"]


def test_page_answers_keep_within_the_runs_window_not_the_raw_setting(
    tmp_path: Path, model_server: ModelServer
) -> None:
    """FAST_TOKEN_LIMIT says 16,000, but the run's fast window is 1,900 (the model's window, or
    --gpt4only's): each request of the page's answer stays within the run's window."""
    model_server.add(reply("notes one"), reply("notes two"), reply("combined answer"))
    ctx = _ctx(tmp_path, model_server, fast_token_limit=16000, browse_summary_max_calls=3)
    ctx.helper_window = 1900
    answer_question(
        ctx, text=_long_text(400), question="Zanzibar pistachio gelato?", source="http://s.test/"
    )
    assert len(model_server.requests) == 3
    for request in model_server.requests:
        assert request.prompt_tokens + request.body["max_tokens"] <= 1900


def test_one_allowed_call_means_one_request(tmp_path: Path, model_server: ModelServer) -> None:
    model_server.add(reply("answer"))
    ctx = _ctx(tmp_path, model_server, fast_token_limit=1900, browse_summary_max_calls=1)
    answer = answer_question(ctx, text=_long_text(400), question="Zanzibar gelato?", source="x")
    assert answer.requests == 1 and answer.text == "answer"


def test_without_a_model_the_text_itself_comes_back(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, make_settings())
    answer = answer_question(ctx, text="Just the text.", question="q", source="x")
    assert (answer.text, answer.requests) == ("Just the text.", 0)


def test_chinese_questions_find_chinese_chunks() -> None:
    chunks = [
        "天气很好，我们去公园散步。",
        "火车站离这里很远。",
        "冰淇淋市场规模在二〇二三年增长了百分之十二。",
    ]
    assert rank_chunks(chunks, "冰淇淋市场规模是多少？")[0] == 2


def test_chunks_respect_their_size_and_keep_every_word() -> None:
    text = "\n".join(f"line {i} " + "word " * 50 for i in range(100)) + "\n" + "x" * 20_000
    chunks = split_chunks(text, 300, lambda t: len(t) // 4 + 1)
    assert all(len(chunk) // 4 + 1 <= 300 + 20 for chunk in chunks)
    assert "".join(chunks).replace("\n", "").count("word") == 5000
