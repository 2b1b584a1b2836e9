"""What llama.cpp's own server (llama-cpp-python, ``--chat_format chatml-function-calling``) does
that OpenAI does not, emulated in the scripted server from what the real one was seen to answer
(tests/e2e/test_llama_cpp_server.py runs the real one)."""

from __future__ import annotations

from autogpt.config.settings import Settings
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.types import ChatRequest
from tests.support.model_script import tool_call_reply
from tests.support.model_server import ModelServer
from tests.support.openai_errors import Error, error

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "list_files",
            "description": "List files.",
            "parameters": {"type": "object", "properties": {"directory": {"type": "string"}}},
        },
    }
]
REQUIRED = ChatRequest(
    model="smollm2-135m-instruct",
    messages=[{"role": "user", "content": "next?"}],
    max_tokens=50,
    tools=TOOLS,
    tool_choice="required",
)


def llama_cpp_assertion_error() -> Error:
    """chatml-function-calling accepts tool_choice "auto", "none" or a named function; for
    "required" its ``assert tool_choice == "auto"`` fails and the server answers 500 with the
    empty text of the AssertionError."""
    return error(500, "", type="internal_server_error")


def test_a_server_error_on_tool_choice_required_is_retried_at_once_with_auto_and_kept(
    model_server: ModelServer,
) -> None:
    model_server.script(
        [
            llama_cpp_assertion_error(),
            tool_call_reply("list_files", {"directory": "."}),
            tool_call_reply("list_files", {"directory": "a"}),
        ]
    )
    waits: list[object] = []
    learnt: list[tuple[str, object]] = []
    client = OpenAIModelClient(
        Settings(
            openai_api_key="sk-test", openai_api_base=model_server.base_url, openai_max_retries=3
        ),
        on_wait=lambda *wait: waits.append(wait),
        on_learnt=lambda name, value: learnt.append((name, value)),
    )
    first = client.complete(REQUIRED)
    second = client.complete(REQUIRED)
    assert [c.arguments for c in first.tool_calls + second.tool_calls] == [
        '{"directory": "."}',
        '{"directory": "a"}',
    ]
    sent = [r.body["tool_choice"] for r in model_server.requests]
    assert sent == ["required", "auto", "auto"]  # retried at once, then kept for the run
    assert waits == []  # no backoff: it is not a transient failure
    assert learnt == [("tool_choice", "auto")]  # a quirk: journaled, shown once, kept on resume
