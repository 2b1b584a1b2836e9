#!/usr/bin/env bash
# The reference MCP servers from PyPI (mcp-server-time, mcp-server-git) in a virtual environment
# of the tests' own, outside the repository: their SDK version must not be ours. Idempotent.
set -euo pipefail
VENV=${AUTOGPT_MCP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/autogpt-tests/mcp-venv}
PACKAGES=(mcp-server-time mcp-server-git)
if [ -x "$VENV/bin/mcp-server-time" ] && [ -x "$VENV/bin/mcp-server-git" ]; then
    exit 0
fi
command -v git >/dev/null || { apt-get update -qq && apt-get install -y -qq git; }
PYTHON=${PYTHON:-python3}
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "${PACKAGES[@]}"
