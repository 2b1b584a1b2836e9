"""MCP tools as command specs: the server's JSON schema is the schema (in ``tools=`` and in the
JSON mode's command list, with its argument names), argument names are checked by the registry
as for every command, and an error result is a failed command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pydantic

from autogpt.commands.registry import CommandSpec, _lean
from autogpt.errors import CommandError
from autogpt.mcp.names import tool_name

if TYPE_CHECKING:
    from autogpt.mcp.hub import McpHub, RemoteTool

MAX_DESCRIPTION = 400


class _Unset:
    """The default of an optional argument the model left out: it is not sent at all."""


def build_specs(hub: McpHub, taken: set[str]) -> list[CommandSpec]:
    specs = []
    for tool in hub.tools:
        name = tool_name(tool.server, tool.name, taken)
        taken.add(name)
        specs.append(_spec(hub, tool, name))
    return specs


def _spec(hub: McpHub, tool: RemoteTool, name: str) -> CommandSpec:
    schema = _lean(tool.schema)
    if not isinstance(schema, dict) or schema.get("type") != "object":
        schema = {"type": "object", "properties": {}}
    schema.setdefault("properties", {})
    properties = list(schema["properties"])
    required = set(schema.get("required", []))
    fields: dict[str, Any] = {
        f"a{i}": (Any, pydantic.Field(... if prop in required else _Unset(), alias=prop))
        for i, prop in enumerate(properties)
    }
    model = pydantic.create_model(
        f"{name}_args", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )

    def run(**values: Any) -> str:
        arguments = {
            properties[int(key[1:])]: value
            for key, value in values.items()
            if not isinstance(value, _Unset)
        }
        return call(hub, tool, arguments)

    description = " ".join(tool.description.split("\n\n", 1)[0].split())
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 3] + "..."
    kind = "read-only" if tool.read_only else "may change things"
    return CommandSpec(
        name=name,
        description=description,
        fn=run,
        available=None,
        args_model=model,
        schema=schema,
        takes_ctx=False,
        read_only=tool.read_only,
        origin=f"MCP server '{tool.server}', tool '{tool.name}' ({kind})",
    )


def call(hub: McpHub, tool: RemoteTool, arguments: dict[str, Any]) -> str:
    from autogpt.mcp.hub import CallFailed

    try:
        outcome = hub.call(tool.server, tool.name, arguments)
    except CallFailed as exc:
        raise CommandError(str(exc)) from None
    if outcome.is_error:
        raise CommandError(f"{tool.name} failed: {outcome.text}")
    return outcome.text
