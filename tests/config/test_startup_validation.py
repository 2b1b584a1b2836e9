"""A proxy or model URL without a scheme stops ``python -m autogpt`` at start-up, exit 2, with
one line naming the variable and the fix: before any request, so nothing half-works."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile


def test_http_proxy_without_a_scheme_exits_2_with_one_line_showing_the_fix(tmp_path: Path) -> None:
    write_profile(tmp_path)
    env = agent_env(
        None,
        OPENAI_API_KEY="sk-test",
        OPENAI_API_BASE="http://127.0.0.1:9/v1",
        HTTP_PROXY="127.0.0.1:7890",
    )
    done = run_agent(None, "--continuous", "--continuous-limit", "1", "--skip-reprompt", env=env)
    shown = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 2
    assert len(shown) == 1, shown
    assert "HTTP_PROXY='127.0.0.1:7890'" in shown[0]
    assert shown[0].endswith("write HTTP_PROXY=http://127.0.0.1:7890")
    assert not (tmp_path / ".autogpt").exists()


def test_lower_case_proxy_in_dotenv_is_checked_too(tmp_path: Path) -> None:
    write_profile(tmp_path)
    (tmp_path / ".env").write_text(
        "OPENAI_API_KEY=sk-test\nhttps_proxy=proxy.corp:3128\n", encoding="utf-8"
    )
    done = run_agent(
        None, "--continuous", "--continuous-limit", "1", "--skip-reprompt", env=agent_env(None)
    )
    assert done.returncode == 2
    assert "write HTTPS_PROXY=http://proxy.corp:3128" in done.stdout + done.stderr


def test_openai_api_base_without_a_scheme_exits_2(tmp_path: Path) -> None:
    write_profile(tmp_path)
    env = agent_env(None, OPENAI_API_KEY="sk-test", OPENAI_API_BASE="localhost:8000/v1")
    done = run_agent(None, "--continuous", "--continuous-limit", "1", "--skip-reprompt", env=env)
    assert done.returncode == 2
    assert "write OPENAI_API_BASE=http://localhost:8000/v1" in done.stdout + done.stderr
