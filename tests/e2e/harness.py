"""Runs ``python -m autogpt`` as a user would: a subprocess (continuous mode) or on a
pseudo-terminal (manual mode), in the test's working directory, against the scripted server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tests.support.model_server import ModelServer

if TYPE_CHECKING:
    import pexpect

    from tests.support.model_script import Reply

PROFILE = {
    "ai_name": "市场规划经理",
    "ai_role": "帮助公司制定和实施市场营销计划以促进销售增长和品牌认知度提高",
    "ai_goals": ["写一篇关于冰淇淋的市场调查报告, 要求100字"],
    "api_budget": 0.0,
}


def write_profile(folder: Path, profile: dict[str, Any] | None = None) -> Path:
    path = folder / "ai_settings.yaml"
    path.write_text(yaml.safe_dump(profile or PROFILE, allow_unicode=True), encoding="utf-8")
    return path


def agent_env(server: ModelServer | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "OPENAI_FUNCTIONS": "false",
            "MEMORY_BACKEND": "no_memory",
            "OPENAI_RETRY_MAX_WAIT": "0.2",
            # The tests' model since before the defaults became current (issue I): their token
            # budgets and request bodies (max_tokens, temperature) are written for it.
            "FAST_LLM_MODEL": "gpt-3.5-turbo",
            # ... and their windows, the defaults before they grew with the models (16k / 32k)
            "FAST_TOKEN_LIMIT": "4000",
            "SMART_TOKEN_LIMIT": "8000",
        }
    )
    if server is not None:
        env.update(server.env())
    env.update(extra)
    return env


def run_agent(
    server: ModelServer | None,
    *flags: str,
    env: dict[str, str] | None = None,
    stdin: str | None = "",
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autogpt", *flags],
        env=env or agent_env(server),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def spawn_agent(
    server: ModelServer | None, *flags: str, env: dict[str, str] | None = None
) -> pexpect.spawn[str]:
    import pexpect

    return pexpect.spawn(
        sys.executable,
        ["-m", "autogpt", *flags],
        env=env or agent_env(server),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )


def csv_steps() -> list[Reply]:
    """The scripted CSV session: read, summarise, append, list, finish."""
    from tests.support.model_script import autogpt_reply

    return [
        autogpt_reply("read_file", {"filename": "data.csv"}),
        autogpt_reply("write_to_file", {"filename": "summary.txt", "text": "北京 sells most.\n"}),
        autogpt_reply("append_to_file", {"filename": "summary.txt", "text": "Shanghai second.\n"}),
        autogpt_reply("list_files", {"directory": "."}),
        autogpt_reply("task_complete", {"reason": "summary written"}),
    ]
