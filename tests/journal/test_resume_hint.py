"""The "Resume with:" hint (on screen and in report.md) is a command that works as printed.

Each test stops a session at its continuous limit, then runs the printed hint in a shell, with a
PATH on which neither the project's venv nor its ``autogpt`` script can be found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import agent_env, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

ROOT = Path(__file__).resolve().parents[2]
BARE_PATH = "/usr/bin:/bin"


def _run(
    cmd: list[str] | str, server: ModelServer, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = agent_env(server, PATH=BARE_PATH, **extra)
    env.pop("AUTOGPT_LAUNCHER", None)
    env.update(extra)
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=90,
        check=False,
        shell=isinstance(cmd, str),
    )


def _stop_at_limit_then_resume(
    cmd: list[str], factory: Callable[..., ModelServer], tmp_path: Path, **extra: str
) -> str:
    """Returns the hint; asserts that running it resumes and finishes the session."""
    write_profile(tmp_path)
    first = factory(autogpt_reply("list_files", {"directory": "."}))
    stopped = _run([*cmd, "-c", "-l", "1", "-y"], first, tmp_path, **extra)
    assert stopped.returncode == 3, stopped.stdout + stopped.stderr
    hint: str
    (hint,) = re.findall(r"^Resume with: (.+)$", stopped.stdout, re.M)
    (report,) = (tmp_path / ".autogpt" / "sessions").glob("*/report.md")
    assert f"`{hint}`" in report.read_text(encoding="utf-8")
    second = factory(autogpt_reply("task_complete", {"reason": "done"}))
    resumed = _run(hint, second, tmp_path, **extra)
    assert resumed.returncode == 0, hint + "\n" + resumed.stdout + resumed.stderr
    assert "Resuming session" in resumed.stdout
    return hint


def test_hint_after_python_dash_m_names_the_same_python(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    hint = _stop_at_limit_then_resume(
        [sys.executable, "-m", "autogpt"], model_server_factory, tmp_path
    )
    assert hint.startswith(f"{sys.executable} -m autogpt --resume ")


def test_hint_after_the_console_script_names_it(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    script = Path(sys.executable).parent / "autogpt"
    assert script.exists(), "the autogpt console script is installed with the package"
    hint = _stop_at_limit_then_resume([str(script)], model_server_factory, tmp_path)
    assert hint.startswith(f"{script} --resume ")


def test_hint_after_run_sh_names_run_sh(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    """run.sh copied beside a stand-in .venv whose python is this test's interpreter (already
    installed, so run.sh installs nothing)."""
    for name in ("run.sh", "pyproject.toml", "requirements.txt", ".env.template"):
        shutil.copy(ROOT / name, tmp_path / name)
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    os.chmod(venv_bin / "python", 0o755)
    stamp = subprocess.run(
        "cat pyproject.toml requirements.txt | cksum | cut -d' ' -f1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    (tmp_path / ".venv" / ".autogpt-installed").write_text(stamp.stdout, encoding="utf-8")
    (tmp_path / ".env").write_text("", encoding="utf-8")
    hint = _stop_at_limit_then_resume(["./run.sh"], model_server_factory, tmp_path)
    assert hint.startswith("./run.sh --resume ")


def test_an_activated_venv_is_named_by_its_short_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogpt.config.launcher import launcher

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{BARE_PATH}")
    main = str(ROOT / "autogpt" / "__main__.py")
    assert launcher({}, [main], sys.executable) in ("python3 -m autogpt", "python -m autogpt")
    assert launcher({"AUTOGPT_LAUNCHER": "./run.sh"}, [main], sys.executable) == "./run.sh"
