"""The script's JSON form, as the CLI and bench/ scripts write it."""

from __future__ import annotations

import pytest

from tests.support.model_script import step_from_json
from tests.support.model_server import (
    autogpt_reply,
    delay,
    drop,
    error,
    insufficient_quota,
    reject_tools,
    reply,
    server_error,
    tool_call_reply,
)


def test_json_steps_build_the_same_steps_as_the_factories() -> None:
    assert step_from_json({"reply": {"text": "hi"}}) == reply("hi")
    assert step_from_json({"autogpt": {"command": "c", "args": {"a": 1}}}) == autogpt_reply(
        "c", {"a": 1}
    )
    assert step_from_json({"tool_call": {"command": "c", "text": None}}) == tool_call_reply(
        "c", text=None
    )
    assert step_from_json({"error": "insufficient_quota"}) == insufficient_quota()
    assert step_from_json({"error": {"kind": "server_error", "status": 502}}) == server_error(502)
    assert step_from_json({"error": {"status": 418, "message": "teapot"}}) == error(418, "teapot")
    assert step_from_json({"drop": True}) == drop()
    assert step_from_json({"delay": {"seconds": 1, "then": {"drop": True}}}) == delay(
        1, then=drop()
    )
    assert step_from_json({"reject_tools": True}) == reject_tools()
    with pytest.raises(ValueError, match="unknown step kind 'replay'"):
        step_from_json({"replay": {}})
