"""The script of the test model server: its steps, the factories that build them, the records.

A step answers one ``POST /v1/chat/completions``: :class:`Reply` (streamed to a request with
``stream``, ``sse.py``), :class:`Streamed` (the same with timings or a drop), an :class:`Error`
(``openai_errors.py``), :class:`Drop`, :class:`Delay`, :class:`RejectTools`, or a callable
``fn(record) -> step`` that builds the answer from the request. A callable may also assert on the
request: an exception it raises becomes a 500 and fails ``assert_complete``.

JSON form (``step_from_json``, used by the CLI), a list of objects with one key each::

    [{"reply": {"text": "hi", "tool_calls": [{"name": "f", "arguments": {"a": 1}}],
                "finish_reason": "stop", "include_usage": true}},
     {"autogpt": {"command": "write_to_file", "args": {"filename": "a.txt", "text": "x"},
                  "text": "thought", "reasoning": "...", "plan": "...", "criticism": "...",
                  "speak": "..."}},
     {"tool_call": {"command": "list_files", "args": {"directory": "."}, "text": null}},
     {"error": {"status": 503, "message": "busy", "type": "server_error", "code": null,
                "headers": {"Retry-After": "1"}}},
     {"error": "insufficient_quota"},
     {"error": {"kind": "rate_limited", "retry_after": 2}},
     {"error": {"kind": "server_error", "status": 502}},
     {"drop": true},
     {"delay": {"seconds": 5, "then": {"reply": {"text": "late"}}}},
     {"streamed": {"chunk_chars": 8, "chunk_delay": 0.05, "first_delay": 0, "drop_after": null,
                   "then": {"autogpt": {"command": "list_files", "args": {"directory": "."}}}}},
     {"reject_tools": true}]

Error kinds: ``openai_errors.ERROR_FACTORIES`` (invalid_api_key, model_not_found, rate_limited,
insufficient_quota, server_error, context_length_exceeded), with their keyword arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.support.openai_errors import ERROR_FACTORIES, Error, error


@dataclass(frozen=True)
class ToolCallSpec:
    name: str
    arguments: str
    """The JSON text as the model would send it; may be malformed on purpose."""
    id: str | None = None
    """None: the server numbers it ``call_<request>_<n>``."""


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    tool_calls: tuple[ToolCallSpec, ...] = ()
    finish_reason: str | None = None
    """None: "tool_calls" when there are tool calls, else "stop"."""
    include_usage: bool = True
    """False imitates self-hosted servers that omit ``usage``."""
    reasoning: str | None = None
    """``reasoning_content`` beside the reply (DeepSeek thinking mode, Qwen thinking models)."""
    cached_tokens: int = 0
    """``usage.prompt_tokens_details.cached_tokens``: the prompt's prefix served from cache."""


@dataclass(frozen=True)
class Streamed:
    """``reply`` sent as a stream the way ``sse.py`` does it, with these timings: ``first_delay``
    seconds before the first chunk, ``chunk_delay`` between chunks, ``chunk_chars`` characters of
    text (or arguments) per chunk, and with ``drop_after`` set, the connection closed after that
    many chunks (a stream broken midway). To a request without ``stream`` it is sent whole."""

    reply: Reply
    chunk_chars: int = 8
    chunk_delay: float = 0.0
    first_delay: float = 0.0
    drop_after: int | None = None
    ended: bool = False
    """With ``drop_after``: end the answer properly there instead of breaking the connection
    (llama.cpp's server, when it cannot stream a request, answers 200 with no event at all)."""


@dataclass(frozen=True)
class Drop:
    """Close the connection without any response."""


@dataclass(frozen=True)
class Delay:
    """Sleep, then answer with ``then``; for client timeouts. ``close()`` cuts the sleep short."""

    seconds: float
    then: Step


@dataclass(frozen=True)
class RejectTools:
    """vLLM without a tool parser: 400 for a request that carries ``tools``.

    Consumed only by such a request. A request without ``tools`` leaves it in place, gets a 500
    and fails ``assert_complete``: the test expected the client to send tools here. (For a server
    that refuses tools on every request, use ``ModelServer(tools_supported=False)``.)
    """


Step = Reply | Streamed | Error | Drop | Delay | RejectTools | Callable[["RequestRecord"], "Step"]


@dataclass
class RequestRecord:
    """One request as the server saw it, and what answered it."""

    index: int
    """0-based, among requests of its kind (chat, embeddings, other)."""
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: Any
    """Parsed JSON (the raw text when it was not JSON, None when empty)."""
    prompt_tokens: int | None = None
    answered_by: str = ""
    """"step 3: reply(...)", "context_length_exceeded", "overrun", "invalid request", ..."""
    step_number: int | None = None
    """1-based position of the answering step in the script; None when no step was consumed."""
    client_address: str = ""
    """The address the request came from (a proxy's, when it went through one)."""
    chunks_sent: list[float] = field(default_factory=list)
    """``time.monotonic()`` as each chunk of a streamed answer was written (``sse.py``)."""

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        return messages if isinstance(messages, list) else []

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        return self.body.get("tools") if isinstance(self.body, dict) else None

    @property
    def last_user_message(self) -> str | None:
        for message in reversed(self.messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return message_text(message)
        return None


def message_text(message: dict[str, Any]) -> str:
    """The text of a message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _arguments_text(args: Any) -> str:
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


ToolCallLike = ToolCallSpec | Mapping[str, Any] | tuple[str, Any]


def _tool_call(spec: ToolCallLike) -> ToolCallSpec:
    if isinstance(spec, ToolCallSpec):
        return spec
    if isinstance(spec, tuple):
        name, args = spec
        return ToolCallSpec(name=name, arguments=_arguments_text(args))
    arguments = _arguments_text(spec.get("arguments", {}))
    return ToolCallSpec(name=spec["name"], arguments=arguments, id=spec.get("id"))


def reply(
    text: str | None = None,
    tool_calls: Iterable[ToolCallLike] | None = None,
    finish_reason: str | None = None,
    *,
    include_usage: bool = True,
    reasoning: str | None = None,
    cached_tokens: int = 0,
) -> Reply:
    """A completion. A tool call is ``{"name", "arguments": dict or raw str, "id"?}``, a
    ``(name, args)`` pair or a :class:`ToolCallSpec`."""
    calls = tuple(_tool_call(c) for c in tool_calls or ())
    return Reply(text, calls, finish_reason, include_usage, reasoning, cached_tokens)


def autogpt_thoughts(
    command: str,
    *,
    text: str | None = None,
    reasoning: str | None = None,
    plan: str | None = None,
    criticism: str | None = None,
    speak: str | None = None,
) -> dict[str, str]:
    """Auto-GPT's ``thoughts`` object; unset fields get plain defaults naming the command."""
    defaults = {
        "text": f"I should use {command}.",
        "reasoning": "It is the next step toward the goals.",
        "plan": f"- use {command}\n- check the result",
        "criticism": "I should stay brief.",
        "speak": f"Using {command}.",
    }
    given = dict(text=text, reasoning=reasoning, plan=plan, criticism=criticism, speak=speak)
    return {key: default if (v := given[key]) is None else v for key, default in defaults.items()}


def autogpt_reply(
    command: str, args: Mapping[str, Any] | None = None, **thoughts: str | None
) -> Reply:
    """Auto-GPT's JSON reply ``{"thoughts": {text, reasoning, plan, criticism, speak},
    "command": {name, args}}``; keyword arguments set the thought fields."""
    content = {
        "thoughts": autogpt_thoughts(command, **thoughts),
        "command": {"name": command, "args": dict(args or {})},
    }
    return Reply(text=json.dumps(content, ensure_ascii=False))


_THOUGHTS: Any = object()


def tool_call_reply(
    command: str,
    args: Mapping[str, Any] | str | None = None,
    *,
    text: str | None = _THOUGHTS,
    call_id: str | None = None,
) -> Reply:
    """One native tool call. ``text`` defaults to ``{"thoughts": {...}}`` JSON; None sends none.
    ``args`` may be a raw (even malformed) JSON string."""
    if text is _THOUGHTS:
        text = json.dumps({"thoughts": autogpt_thoughts(command)}, ensure_ascii=False)
    arguments = _arguments_text(args if args is not None else {})
    return Reply(text=text, tool_calls=(ToolCallSpec(command, arguments, call_id),))


def drop() -> Drop:
    return Drop()


def streamed(
    step: Reply,
    *,
    chunk_chars: int = 8,
    chunk_delay: float = 0.0,
    first_delay: float = 0.0,
    drop_after: int | None = None,
    ended: bool = False,
) -> Streamed:
    return Streamed(step, chunk_chars, chunk_delay, first_delay, drop_after, ended)


def delay(seconds: float, *, then: Step) -> Delay:
    return Delay(seconds, then)


def reject_tools() -> RejectTools:
    return RejectTools()


def describe(step: Step) -> str:
    """A short description of a step, for failure messages and records."""
    if isinstance(step, Reply):
        parts = [f"text={_short(step.text)}"] if step.text is not None else []
        parts += [f"tool_call={c.name}({_short(c.arguments)})" for c in step.tool_calls]
        return f"reply({', '.join(parts)})"
    if isinstance(step, Error):
        return f"error({step.status} {step.code or step.type}: {_short(step.message)})"
    if isinstance(step, Streamed):
        cut = f", drop_after={step.drop_after}" if step.drop_after is not None else ""
        return f"streamed({describe(step.reply)}, chunk_delay={step.chunk_delay:g}s{cut})"
    if isinstance(step, Delay):
        return f"delay({step.seconds:g}s, then={describe(step.then)})"
    if isinstance(step, Drop):
        return "drop()"
    if isinstance(step, RejectTools):
        return "reject_tools()"
    return f"callable {getattr(step, '__name__', repr(step))}"


def _short(text: str | None, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def step_from_json(spec: Any) -> Step:
    """A step from its JSON form (see the module docstring)."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ValueError(f"a step is an object with one key, got {spec!r}")
    ((kind, value),) = spec.items()
    if kind == "reply":
        return reply(**value)
    if kind == "autogpt":
        return autogpt_reply(**value)
    if kind == "tool_call":
        return tool_call_reply(**value)
    if kind == "error" and isinstance(value, str):
        return ERROR_FACTORIES[value]()
    if kind == "error" and "kind" in value:
        options = {k: v for k, v in value.items() if k != "kind"}
        return ERROR_FACTORIES[value["kind"]](**options)
    if kind == "error":
        return error(**value)
    if kind == "drop":
        return drop()
    if kind == "delay":
        return delay(value["seconds"], then=step_from_json(value["then"]))
    if kind == "reject_tools":
        return reject_tools()
    if kind == "streamed":
        options = {k: v for k, v in value.items() if k != "then"}
        then = step_from_json(value["then"])
        if not isinstance(then, Reply):
            raise ValueError("streamed: 'then' must be a reply, autogpt or tool_call step")
        return streamed(then, **options)
    raise ValueError(
        f"unknown step kind {kind!r}: expected reply, autogpt, tool_call, error, drop, delay, "
        "streamed or reject_tools"
    )
