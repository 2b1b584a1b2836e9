"""Start-up stays light: we assert the cause (which modules are imported), not a time."""

from __future__ import annotations

import json
import subprocess
import sys

NEVER_AT_HELP = [
    "openai",
    "pydantic",
    "pydantic_settings",
    "rich",
    "yaml",
    "tiktoken",
    "selenium",
    "docker",
    "numpy",
    "psycopg",
    "trafilatura",
    "ddgs",
    "httpx2",
    "prompt_toolkit",
    "fastapi",
    "uvicorn",
    "starlette",
    "genai_prices",
]
NEVER_BEFORE_FIRST_USE = [
    "selenium",
    "docker",
    "numpy",
    "psycopg",
    "trafilatura",
    "ddgs",
    "sqlite_vec",
    "usearch",
    "openai",
    "tiktoken",
    "prompt_toolkit",
    "fastapi",
    "uvicorn",
    "starlette",
    "genai_prices",
]


def _loaded(code: str, names: list[str]) -> list[str]:
    probe = (
        f"{code}\nimport sys, json\nprint(json.dumps([n for n in {names!r} if n in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded: list[str] = json.loads(out.strip().splitlines()[-1])
    return loaded


def test_help_path_imports_nothing_heavy() -> None:
    assert _loaded("import autogpt.cli", NEVER_AT_HELP) == []


def test_building_a_session_does_not_import_browser_docker_database_or_sdk() -> None:
    code = (
        "import autogpt.session\n"
        "from autogpt.commands import load_command_modules\n"
        "load_command_modules()\n"
        "import autogpt.memory.factory, autogpt.memory.recall, autogpt.sandbox\n"
    )
    assert _loaded(code, NEVER_BEFORE_FIRST_USE) == []
