"""A tool's result as text for the model: text content as it is, structured content as JSON
(when there is no text beside it), images, audio and resources described. Whether it fits the
prompt is decided later, by the agent's result budget, as for every command."""

from __future__ import annotations

import json
from dataclasses import dataclass

from mcp.types import (
    AudioContent,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)


@dataclass(frozen=True)
class ToolOutcome:
    text: str
    is_error: bool


def convert(result: CallToolResult) -> ToolOutcome:
    parts: list[str] = []
    has_text = any(isinstance(block, TextContent) for block in result.content)
    if result.structured_content is not None and not has_text:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    for block in result.content:
        parts.append(describe(block))
    text = "\n".join(p for p in parts if p)
    return ToolOutcome(text or "(the tool returned nothing)", result.is_error)


def describe(block: object) -> str:
    if isinstance(block, TextContent):
        return block.text
    if isinstance(block, ImageContent | AudioContent):
        kind = "image" if isinstance(block, ImageContent) else "audio"
        return f"[{kind}: {block.mime_type}, {_decoded_size(block.data):,} bytes, not shown]"
    if isinstance(block, ResourceLink):
        mime = f", {block.mime_type}" if block.mime_type else ""
        return f"[resource link: {block.name} <{block.uri}>{mime}]"
    if isinstance(block, EmbeddedResource):
        res = block.resource
        mime = f", {res.mime_type}" if res.mime_type else ""
        if isinstance(res, TextResourceContents):
            return f"[resource <{res.uri}>{mime}]\n{res.text}"
        return f"[resource <{res.uri}>{mime}, {_decoded_size(res.blob):,} bytes of binary data]"
    return f"[{type(block).__name__} content, not shown]"


def _decoded_size(base64_text: str) -> int:
    return len(base64_text) * 3 // 4 - base64_text[-2:].count("=")
