"""The successful answers of the test model server: chat completions and the model list.

A completion carries what OpenAI's does: id, object, created, the request's model, one choice
with the message (``tool_calls`` only when there are some) and finish_reason ("tool_calls" when
there are tool calls, unless the step says otherwise), and usage: the request's counted prompt
tokens and the reply's completion tokens (``token_count.py``).
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.model_script import Reply, RequestRecord
from tests.support.openai_errors import Error, model_not_found
from tests.support.token_count import count_completion

MODELS = ("gpt-3.5-turbo", "gpt-4", "gpt-4o-mini", "text-embedding-ada-002")


class Payload:
    """A 200 answer other than a chat completion (embeddings, models)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


def models_answer(path: str) -> Payload | Error:
    listed = [
        {"id": name, "object": "model", "created": 1686935002, "owned_by": "openai"}
        for name in MODELS
    ]
    if path == "/v1/models":
        return Payload({"object": "list", "data": listed})
    name = path.removeprefix("/v1/models/")
    for model in listed:
        if model["id"] == name:
            return Payload(model)
    return model_not_found(name)


def completion_body(record: RequestRecord, step: Reply) -> dict[str, Any]:
    model = str(record.model)
    message: dict[str, Any] = {"role": "assistant", "content": step.text, "refusal": None}
    if step.reasoning is not None:
        message["reasoning_content"] = step.reasoning
    if step.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id or f"call_{record.index + 1}_{n}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for n, call in enumerate(step.tool_calls, start=1)
        ]
    finish = step.finish_reason or ("tool_calls" if step.tool_calls else "stop")
    body: dict[str, Any] = {
        "id": f"chatcmpl-test{record.index + 1}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
    }
    if step.include_usage:
        calls = [(call.name, call.arguments) for call in step.tool_calls]
        completion = count_completion(step.text, calls, model)
        prompt = record.prompt_tokens or 0
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if step.cached_tokens:
            body["usage"]["prompt_tokens_details"] = {"cached_tokens": step.cached_tokens}
    return body
