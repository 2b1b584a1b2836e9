"""The scripted model server through the real ``openai`` client: replies, records, connection
faults, script completeness, the fixture and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.support.client_calls import USER_HI, WRITE_TOOL, ask, post_raw, tokens
from tests.support.model_script import RequestRecord, autogpt_thoughts
from tests.support.model_server import (
    ModelServer,
    autogpt_reply,
    delay,
    drop,
    error,
    rate_limited,
    reply,
    tool_call_reply,
)

REPO = Path(__file__).resolve().parents[2]


# --- replies ------------------------------------------------------------------------------------


def test_reply_text_reaches_the_client_with_cookbook_usage(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply("Hello there"))

    completion = ask(client, max_tokens=50)

    assert completion.choices[0].message.content == "Hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-3.5-turbo"
    prompt = 3 + (3 + tokens("user") + tokens("hi"))  # priming + one message
    assert completion.usage.prompt_tokens == prompt
    assert completion.usage.completion_tokens == tokens("Hello there")
    assert completion.usage.total_tokens == prompt + tokens("Hello there")


def test_every_request_is_recorded_with_headers_body_and_answer(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply("one"))

    ask(client, temperature=0)

    (record,) = model_server.requests
    assert record.path == "/v1/chat/completions"
    assert record.headers["authorization"] == "Bearer sk-test"
    assert record.body["messages"] == USER_HI and record.body["temperature"] == 0
    assert record.last_user_message == "hi"
    assert record.step_number == 1 and record.answered_by == "step 1: reply(text='one')"


def test_tool_call_reply_carries_the_call_and_finish_reason(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(tool_call_reply("write_to_file", {"filename": "a.txt", "text": "中文"}))

    completion = ask(client, tools=[WRITE_TOOL])

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "write_to_file" and call.id == "call_1_1"
    assert json.loads(call.function.arguments) == {"filename": "a.txt", "text": "中文"}
    assert json.loads(choice.message.content) == {"thoughts": autogpt_thoughts("write_to_file")}
    expected = tokens(choice.message.content) + tokens("write_to_file")
    assert completion.usage.completion_tokens == expected + tokens(call.function.arguments)


def test_tool_call_arguments_may_be_sent_malformed(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply(tool_calls=[("write_to_file", '{"filename": "a.txt",')]))

    call = ask(client, tools=[WRITE_TOOL]).choices[0].message.tool_calls[0]

    assert call.function.arguments == '{"filename": "a.txt",'


def test_autogpt_reply_is_auto_gpt_json(model_server: ModelServer, client: openai.OpenAI) -> None:
    model_server.add(autogpt_reply("list_files", {"directory": "."}, speak="Listing."))

    content = json.loads(ask(client).choices[0].message.content)

    assert content["command"] == {"name": "list_files", "args": {"directory": "."}}
    assert set(content["thoughts"]) == {"text", "reasoning", "plan", "criticism", "speak"}
    assert content["thoughts"]["speak"] == "Listing."


def test_reply_without_usage_imitates_servers_that_omit_it(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(reply("x", include_usage=False))

    assert ask(client).usage is None


def test_callable_step_answers_from_the_request(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(lambda record: reply(f"you said {record.last_user_message}"))

    assert ask(client).choices[0].message.content == "you said hi"


def test_a_callable_step_that_raises_fails_the_script() -> None:
    def expect_tools(record: RequestRecord) -> Any:
        assert record.tools, "the client should have sent tools"
        return reply("x")

    with ModelServer([expect_tools]) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
            with pytest.raises(openai.InternalServerError):
                ask(own)
        with pytest.raises(AssertionError, match="the client should have sent tools"):
            server.assert_complete()


# --- connection faults and retries ------------------------------------------------------------


def test_openai_client_retries_are_answered_by_the_next_steps(model_server: ModelServer) -> None:
    fast_503 = error(503, "The server is overloaded.", headers={"retry-after-ms": "10"})
    model_server.add(rate_limited(None, retry_after_ms=10), fast_503, reply("third time"))

    with openai.OpenAI(base_url=model_server.base_url, api_key="sk-test", max_retries=2) as c:
        assert ask(c).choices[0].message.content == "third time"

    retries = [r.headers["x-stainless-retry-count"] for r in model_server.requests]
    assert retries == ["0", "1", "2"]


def test_drop_surfaces_as_a_connection_error(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(drop(), drop())

    with pytest.raises(openai.APIConnectionError) as caught:
        ask(client)
    with pytest.raises(RemoteDisconnected, match="Remote end closed connection without response"):
        post_raw(f"{model_server.base_url}/chat/completions", {"model": "m", "messages": USER_HI})

    assert "Server disconnected without sending a response" in str(caught.value.__cause__)


def test_delay_beyond_the_client_timeout_is_a_timeout(
    model_server: ModelServer, client: openai.OpenAI
) -> None:
    model_server.add(delay(30, then=reply("too late")), reply("in time"))

    with pytest.raises(openai.APITimeoutError):
        ask(client, timeout=0.3)

    assert ask(client).choices[0].message.content == "in time"


# --- script completeness ------------------------------------------------------------------------


def test_assert_complete_lists_steps_never_requested() -> None:
    with ModelServer([reply("used"), reply("left over"), drop()]) as server:
        post_raw(f"{server.base_url}/chat/completions", {"model": "m", "messages": USER_HI})
        with pytest.raises(AssertionError) as caught:
            server.assert_complete()

    assert "2 scripted step(s) never requested" in str(caught.value)
    assert "step 2: reply(text='left over')" in str(caught.value)
    assert "step 3: drop()" in str(caught.value)


def test_a_request_past_the_script_gets_500_and_fails_the_script() -> None:
    with ModelServer([reply("only one")]) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
            ask(own)
            with pytest.raises(openai.InternalServerError, match="test script exhausted"):
                ask(own, [{"role": "user", "content": "one more thing"}])
        with pytest.raises(AssertionError, match="last user message: 'one more thing'"):
            server.assert_complete()
        assert server.overruns == [server.requests[1]]


def test_loop_repeats_the_script() -> None:
    with ModelServer([reply("a"), reply("b")], loop=True) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as own:
            answers = [ask(own).choices[0].message.content for _ in range(5)]
        server.assert_complete()

    assert answers == ["a", "b", "a", "b", "a"]


INNER_TESTS = """
from tests.support.model_server import reply

def test_leaves_a_step(model_server):
    model_server.add(reply("never asked for"))

def test_fails_and_leaves_a_step(model_server):
    model_server.add(reply("also never asked for"))
    assert False, "the test's own failure"
"""


def test_the_fixture_fails_a_test_that_leaves_steps_unless_it_failed_already(
    tmp_path: Path,
) -> None:
    inner = tmp_path / "test_inner.py"
    inner.write_text(INNER_TESTS, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-q", str(inner)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert "1 failed, 1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "ERROR at teardown of test_leaves_a_step" in result.stdout
    assert "step 1: reply(text='never asked for')" in result.stdout
    assert "reply(text='also never asked for')" not in result.stdout


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_serves_a_json_script_and_reports_on_exit(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"reply": {"text": "from the CLI"}}]), encoding="utf-8")
    command = [sys.executable, "-m", "tests.support.model_server", "--script", str(script)]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        body = {"model": "gpt-4", "messages": USER_HI}
        answer = json.loads(post_raw(f"{base_url}/chat/completions", body))
        process.terminate()
        _, summary = process.communicate(timeout=30)

    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
    assert answer["choices"][0]["message"]["content"] == "from the CLI"
    assert "1 chat requests" in summary and "0 steps left" in summary
