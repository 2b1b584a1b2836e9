"""What an endpoint was found to refuse, learnt from its 400 answers, and the request body adapted
to it. No openai import, no prompt knowledge.

Endpoints that speak "OpenAI-compatible" differ in what they accept. Rather than a table of
providers, each refusal is recognised from the error's text (the providers' documented wording,
see :data:`RULES`), learnt once, shown once and kept: :class:`Quirks` is a plain value that the
journal records (``quirk`` events) and ``--resume`` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TOKEN_PARAMS = ("max_tokens", "max_completion_tokens")
ROLES = ("system", "developer")
_REFUSED = re.compile(
    r"unsupported|not supported|unrecognized|unknown|not allowed|not permitted|extra |"
    r"does not support|invalid|not one of|incompatible|only the default",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"maximum context length is (\d[\d,]*)|context (?:length|window|size) (?:is|of) (\d[\d,]*)",
    re.IGNORECASE,
)


@dataclass
class Quirks:
    """What was learnt about the endpoint; empty for a well-behaved one."""

    tool_choice: str | None = None
    """"auto" once ``tool_choice: "required"`` was refused (Kimi with thinking on)."""
    token_param: str | None = None
    """The name for the reply's token cap once the other was refused."""
    temperature: bool = True
    """False once ``temperature`` was refused (reasoning models take only the default)."""
    system_role: str | None = None
    """The role for system messages once the other was refused ("system" or "developer")."""
    enable_thinking: bool | None = None
    """False once Qwen asked for ``enable_thinking=false`` on non-streaming calls."""
    context_windows: dict[str, int] = field(default_factory=dict)
    """Model name -> the window the server stated ("maximum context length is N")."""
    stream: bool = True
    """False once the endpoint refused ``stream`` or answered plain JSON to a streaming request."""

    def learn(self, name: str, value: Any) -> None:
        if name == "context_window":
            self.context_windows.update({str(k): int(v) for k, v in dict(value).items()})
        elif name in ("tool_choice", "token_param", "system_role"):
            setattr(self, name, str(value))
        elif name in ("temperature", "enable_thinking", "stream"):
            setattr(self, name, bool(value))

    def to_dict(self) -> dict[str, Any]:
        """What was learnt, as the ``(name, value)`` pairs :meth:`learn` takes."""
        learnt: dict[str, Any] = {}
        for name in ("tool_choice", "token_param", "system_role", "enable_thinking"):
            if getattr(self, name) is not None:
                learnt[name] = getattr(self, name)
        if not self.temperature:
            learnt["temperature"] = False
        if not self.stream:
            learnt["stream"] = False
        if self.context_windows:
            learnt["context_window"] = dict(self.context_windows)
        return learnt

    @classmethod
    def from_dict(cls, learnt: dict[str, Any]) -> Quirks:
        quirks = cls()
        for name, value in learnt.items():
            quirks.learn(name, value)
        return quirks


@dataclass(frozen=True)
class Learnt:
    name: str
    value: Any


def describe(name: str, value: Any) -> str:
    """The one notice shown when a quirk is learnt."""
    if name == "tool_choice":
        return (
            'The endpoint refuses tool_choice "required"; asking with "auto" from now on '
            "(tool calls stay on)."
        )
    if name == "token_param":
        other = TOKEN_PARAMS[1 - TOKEN_PARAMS.index(value)]
        return f"The endpoint refuses {other}; sending {value} from now on."
    if name == "temperature":
        return "The model does not take a temperature; it is left out from now on."
    if name == "system_role":
        other = ROLES[1 - ROLES.index(value)]
        return f'The endpoint refuses the "{other}" role; using "{value}" from now on.'
    if name == "enable_thinking":
        return "The endpoint needs enable_thinking=false without streaming; sending it."
    if name == "stream":
        return "The endpoint does not stream replies; asking for whole replies from now on."
    if name == "context_window":
        ((model, tokens),) = dict(value).items()
        return f"The endpoint says {model}'s window is {tokens:,} tokens; keeping within it."
    return f"Learnt about the endpoint: {name}={value!r}."


def passes_reasoning_back(model: str) -> bool:
    """DeepSeek's thinking mode answers 400 ("Missing `reasoning_content` field in the assistant
    message") unless a tool-call turn's ``reasoning_content`` comes back in later requests
    (api-docs.deepseek.com/guides/thinking_mode#tool-calls); others are not sent it."""
    return "deepseek" in model.lower()


# --- the request body ------------------------------------------------------------------------
def build_body(
    request_model: str,
    messages: list[dict[str, Any]],
    *,
    max_tokens: int,
    temperature: float,
    tools: list[dict[str, Any]] | None,
    tool_choice: str | None,
    reasoning_model: bool,
    quirks: Quirks,
    stream: bool = False,
) -> dict[str, Any]:
    """The chat-completions body for this endpoint, with what it was found to refuse left out.
    ``stream``: asked for (STREAM_REPLIES), sent unless the endpoint was found not to stream."""
    role = quirks.system_role
    if role and role != "system":
        messages = [{**m, "role": role} if m.get("role") == "system" else m for m in messages]
    body: dict[str, Any] = {"model": request_model, "messages": messages}
    default_param = "max_completion_tokens" if reasoning_model else "max_tokens"
    body[quirks.token_param or default_param] = max_tokens
    if quirks.temperature and not reasoning_model:
        body["temperature"] = temperature
    if tools:
        body["tools"] = tools
        if tool_choice:
            learnt = quirks.tool_choice if tool_choice == "required" else None
            body["tool_choice"] = learnt or tool_choice
    if stream and quirks.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    elif quirks.enable_thinking is not None:  # Qwen's rule is for non-streaming calls only
        body["enable_thinking"] = quirks.enable_thinking
    return body


# --- recognising a refusal -------------------------------------------------------------------
Rule = Callable[[str, str, dict[str, Any]], "Learnt | None"]
"""(message, param, the body sent) -> what to learn, or None."""


def _tool_choice(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """Kimi: "tool_choice 'required' is incompatible with thinking enabled"; other servers:
    "tool_choice required is not supported". Not vLLM's "--enable-auto-tool-choice" (tools)."""
    low = message.lower()
    named = param == "tool_choice" or "tool_choice" in low or "tool choice" in low
    if body.get("tool_choice") == "required" and named and "required" in low:
        if "--enable-auto-tool-choice" not in low:
            return Learnt("tool_choice", "auto")
    return None


def _token_param(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """OpenAI: "Unsupported parameter: 'max_tokens' is not supported with this model. Use
    'max_completion_tokens' instead."; older servers: "Unrecognized request argument supplied:
    max_completion_tokens"."""
    for sent in TOKEN_PARAMS:
        if sent in body and (param == sent or _names(message, sent)) and _REFUSED.search(message):
            return Learnt("token_param", TOKEN_PARAMS[1 - TOKEN_PARAMS.index(sent)])
    return None


def _temperature(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """OpenAI: "Unsupported value: 'temperature' does not support 0 with this model. Only the
    default (1) value is supported." (also "Unsupported parameter: 'temperature' ...")."""
    if "temperature" in body and (param == "temperature" or "temperature" in message.lower()):
        if _REFUSED.search(message):
            return Learnt("temperature", False)
    return None


def _role(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """OpenAI (o1-mini): "Unsupported value: 'messages[0].role' does not support 'system' with
    this model."; relays: "developer is not one of ['system', 'assistant', 'user', ...]"."""
    low = message.lower()
    if "role" not in low and "role" not in param:
        return None
    sent = {m.get("role") for m in body.get("messages", []) if isinstance(m, dict)}
    for role in ROLES:
        said = re.search(rf"'{role}'|\"{role}\"|\b{role} is not\b|role:? {role}\b", low)
        if role in sent and said and _REFUSED.search(message):
            return Learnt("system_role", ROLES[1 - ROLES.index(role)])
    return None


def _enable_thinking(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """Qwen (DashScope): "parameter.enable_thinking must be set to false for non-streaming
    calls"."""
    if "enable_thinking" in message and "false" in message.lower():
        if body.get("enable_thinking") is not False:
            return Learnt("enable_thinking", False)
    return None


def _stream(message: str, param: str, body: dict[str, Any]) -> Learnt | None:
    """Relays and older servers: "stream is not supported", "Unrecognized request argument
    supplied: stream_options" (a server that takes no ``stream_options`` is asked for whole
    replies too: one rule, and usage stays exact)."""
    if not body.get("stream"):
        return None
    named = param in ("stream", "stream_options") or _names(message.lower(), "stream")
    if named or _names(message.lower(), "stream_options") or "streaming" in message.lower():
        return Learnt("stream", False)
    return None


RULES: tuple[Rule, ...] = (
    _tool_choice,
    _token_param,
    _temperature,
    _role,
    _enable_thinking,
    _stream,
)


def recognise(message: str, param: str | None, body: dict[str, Any]) -> Learnt | None:
    """What a 400/422 answer to ``body`` says the endpoint refuses, if a rule knows it."""
    for rule in RULES:
        learnt = rule(message, param or "", body)
        if learnt is not None:
            return learnt
    return None


def stated_window(message: str, body: Any = None) -> int | None:
    """The window an overflow answer states: OpenAI, vLLM and DeepSeek say "maximum context
    length is N tokens"; llama.cpp sends ``n_ctx`` beside its message."""
    if isinstance(body, dict) and isinstance(body.get("n_ctx"), int):
        return int(body["n_ctx"])
    found = _WINDOW.search(message)
    if not found:
        return None
    return int((found.group(1) or found.group(2)).replace(",", ""))


def _names(message: str, word: str) -> bool:
    return re.search(rf"(?<![a-z_]){re.escape(word)}(?![a-z_])", message) is not None
