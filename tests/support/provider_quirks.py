"""What other providers refuse, emulated by the test model server, with their documented wording.

``ModelServer(quirks=ProviderQuirks(...))`` switches each on. A refusal is answered before the
script is consulted (no step is consumed) and counted in ``ModelServer.quirk_refusals`` by name.

Sources of the texts (each provider's own error, as its users reported it):

- Kimi (Moonshot) with thinking on: 400 "tool_choice 'required' is incompatible with thinking
  enabled" (AstrBotDevs/AstrBot#7805; platform.kimi.ai models overview: K2.6/K2.7 refuse it).
- OpenAI reasoning models: 400 "Unsupported parameter: 'max_tokens' is not supported with this
  model. Use 'max_completion_tokens' instead." (code ``unsupported_parameter``), and "Unsupported
  value: 'temperature' does not support 0 with this model. Only the default (1) value is
  supported." (code ``unsupported_value``); o1-mini: "Unsupported value: 'messages[0].role' does
  not support 'system' with this model."
- Azure OpenAI before API version 2024-09-01 and older relays: "Unrecognized request argument
  supplied: max_completion_tokens".
- Relays that know no ``developer`` role: "'developer' is not one of ['system', 'assistant',
  'user', 'tool', 'function'] - 'messages.0.role'" (OpenAI's own wording before the role existed).
- Qwen 3 (DashScope compatible mode): 400 "parameter.enable_thinking must be set to false for
  non-streaming calls" (code ``invalid_parameter_error``).
- DeepSeek thinking mode: "Missing `reasoning_content` field in the assistant message at
  message index N. For more information, please refer to
  https://api-docs.deepseek.com/guides/thinking_mode#tool-calls" when a tool-call turn's
  ``reasoning_content`` was not passed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.openai_errors import Error, error


@dataclass(frozen=True)
class ProviderQuirks:
    """Which refusals the server emulates; all off is OpenAI's chat model behaviour."""

    refuse_required_tool_choice: bool = False
    """Kimi K2 with thinking on."""
    refuse_max_tokens: bool = False
    """OpenAI reasoning models (o-series, gpt-5): only ``max_completion_tokens``."""
    refuse_max_completion_tokens: bool = False
    """Older Azure API versions and relays: only ``max_tokens``."""
    refuse_temperature: bool = False
    """OpenAI reasoning models: only the default temperature (1)."""
    refuse_role: str | None = None
    """"system" (o1-mini) or "developer" (relays that predate it)."""
    qwen_thinking: bool = False
    """Qwen 3 on DashScope: non-streaming calls need ``enable_thinking: false``."""
    deepseek_thinking: bool = False
    """DeepSeek thinking mode: assistant tool-call turns must carry ``reasoning_content``."""


def refusal(body: dict[str, Any], quirks: ProviderQuirks) -> tuple[str, Error] | None:
    """(quirk name, the provider's 400) for a request this provider would refuse, else None."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    if quirks.refuse_required_tool_choice and body.get("tool_choice") == "required":
        text = "tool_choice 'required' is incompatible with thinking enabled"
        return "tool_choice", error(400, text)
    if quirks.refuse_max_tokens and "max_tokens" in body:
        text = (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
            "'max_completion_tokens' instead."
        )
        return "max_tokens", error(400, text, param="max_tokens", code="unsupported_parameter")
    if quirks.refuse_max_completion_tokens and "max_completion_tokens" in body:
        text = "Unrecognized request argument supplied: max_completion_tokens"
        return "max_completion_tokens", error(400, text)
    if quirks.refuse_temperature and body.get("temperature", 1) != 1:
        text = (
            f"Unsupported value: 'temperature' does not support {body['temperature']:g} with "
            "this model. Only the default (1) value is supported."
        )
        return "temperature", error(400, text, param="temperature", code="unsupported_value")
    if quirks.refuse_role:
        found = _role_refusal(messages, quirks.refuse_role)
        if found:
            return "role", found
    if quirks.qwen_thinking and not body.get("stream") and body.get("enable_thinking") is not False:
        text = "parameter.enable_thinking must be set to false for non-streaming calls"
        return "enable_thinking", error(400, text, code="invalid_parameter_error")
    if quirks.deepseek_thinking:
        for index, message in enumerate(messages):
            tool_turn = message.get("role") == "assistant" and message.get("tool_calls")
            if tool_turn and not message.get("reasoning_content"):
                text = (
                    "Missing `reasoning_content` field in the assistant message at message "
                    f"index {index}. For more information, please refer to "
                    "https://api-docs.deepseek.com/guides/thinking_mode#tool-calls"
                )
                return "reasoning_content", error(400, text)
    return None


def _role_refusal(messages: list[dict[str, Any]], role: str) -> Error | None:
    for index, message in enumerate(messages):
        if message.get("role") != role:
            continue
        if role == "system":
            text = f"Unsupported value: 'messages[{index}].role' does not support 'system' with "
            return error(400, text + "this model.", param=f"messages[{index}].role")
        text = (
            "'developer' is not one of ['system', 'assistant', 'user', 'tool', 'function'] - "
            f"'messages.{index}.role'"
        )
        return error(400, text)
    return None
