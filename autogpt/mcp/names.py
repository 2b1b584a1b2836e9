"""The command name of an MCP tool: ``mcp__<server>__<tool>``, as the OpenAI API allows it
(``[A-Za-z0-9_-]``, at most 64 characters). A name that had to be cut, or that two tools would
share once sanitised, ends in a short hash of the original, so it stays unique and stable."""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 64
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")


def sanitise(text: str) -> str:
    return _NOT_ALLOWED.sub("_", text)


def tool_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    name = f"mcp__{sanitise(server)}__{sanitise(tool)}"
    if len(name) <= MAX_LENGTH and name not in taken:
        return name
    digest = hashlib.sha1(f"{server}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[: MAX_LENGTH - 9]}_{digest}"
