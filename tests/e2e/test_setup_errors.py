"""Paths and files the user gives that cannot be used end the run with one clear line (exit 2):
never ``Internal error`` and never a traceback on the terminal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import agent_env, run_agent, write_profile


def _assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    shown = done.stdout + done.stderr
    assert done.returncode == 2, shown
    assert "Traceback" not in shown
    assert "Internal error" not in shown
    for word in words:
        assert word in shown, shown


def test_a_data_dir_that_cannot_be_created_is_a_usage_error(tmp_path: Path) -> None:
    write_profile(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    env = agent_env(None, OPENAI_API_KEY="sk-test", AUTOGPT_DATA_DIR=str(tmp_path / "blocker/d"))
    done = run_agent(None, "-y", "-c", "-l", "1", env=env)
    _assert_one_clear_line(done, "blocker")


def test_ai_settings_naming_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    env = agent_env(None, OPENAI_API_KEY="sk-test")
    done = run_agent(None, "-y", "-C", "folder", env=env)
    _assert_one_clear_line(done, "folder")


def test_a_logs_file_in_the_way_is_a_usage_error(tmp_path: Path) -> None:
    write_profile(tmp_path)
    (tmp_path / "logs").write_text("not a folder", encoding="utf-8")
    env = agent_env(None, OPENAI_API_KEY="sk-test")
    done = run_agent(None, "-y", "-c", "-l", "1", env=env)
    _assert_one_clear_line(done, "logs")


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_dot_env_not_in_utf8_names_the_file_and_the_fix(tmp_path: Path, encoding: str) -> None:
    """Notepad on a Chinese Windows saves .env as GBK (or UTF-16) when it holds Chinese text."""
    write_profile(tmp_path)
    (tmp_path / ".env").write_bytes("# 我的设置\nFAST_LLM_MODEL=gpt-3.5-turbo\n".encode(encoding))
    env = agent_env(None, OPENAI_API_KEY="sk-test")
    done = run_agent(None, "-y", "-c", "-l", "1", env=env)
    _assert_one_clear_line(done, ".env", "UTF-8")
