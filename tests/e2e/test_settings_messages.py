"""Settings problems are reported, not swallowed; wrong values are usage errors (exit 2, one
line, no traceback) that say what to use instead."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.harness import PROFILE, agent_env, run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def test_a_sixth_goal_is_warned_about_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path, {**PROFILE, "ai_goals": [f"goal {i}" for i in range(1, 7)]})
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(model_server, "-c", "-l", "2", "-y")
    assert done.returncode == 0, _output(done)
    assert "has 6 goals; only the first 5 are used. Not used: 'goal 6'" in done.stdout
    assert "goal 6" not in model_server.requests[0].messages[0]["content"]


def test_an_empty_role_shows_the_default_it_uses(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path, {**PROFILE, "ai_role": ""})
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(model_server, "-c", "-l", "2", "-y")
    assert done.returncode == 0, _output(done)
    assert "ai_role is empty; using the default role 'an AI designed to" in done.stdout


def test_a_profile_without_goals_names_ai_goals(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path, {"ai_name": "Writer", "ai_role": "writes", "goals": ["write"]})
    done = run_agent(model_server, "-c", "-l", "2", "-y")
    assert done.returncode == 2
    assert "unknown field 'goals' is ignored (did you mean ai_goals?)" in done.stdout
    assert "has no ai_goals" in done.stdout
    assert "Traceback" not in _output(done)


def test_a_workspace_that_is_a_file_is_a_usage_error(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    done = run_agent(model_server, "-c", "-l", "2", "-y", "-w", "notes.txt")
    assert done.returncode == 2
    (line,) = done.stdout.strip().splitlines()
    assert "WORKSPACE_PATH='notes.txt': a file, not a directory (-w or WORKSPACE_PATH" in line
    assert "Internal error" not in line and not done.stderr.strip()


def test_an_old_memory_backend_names_the_ones_to_use(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    done = run_agent(
        model_server, "-c", "-l", "2", "-y", env=agent_env(model_server, MEMORY_BACKEND="redis")
    )
    assert done.returncode == 2
    (line,) = done.stdout.strip().splitlines()
    assert "MEMORY_BACKEND='redis'" in line
    assert "redis memory is not supported any more: use MEMORY_BACKEND=local" in line
    assert "MEMORY_BACKEND=postgres" in line


def test_old_names_in_dotenv_are_explained_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (tmp_path / ".env").write_text(
        "IMAGE_SIZE=512\nHUGGINGFACE_API_TOKEN=hf_x\n"
        "USE_MAC_OS_TTS=False\nEXECUTE_LOCAL_COMMANDS=False\n",
        encoding="utf-8",
    )
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(model_server, "-c", "-l", "2", "-y")
    assert done.returncode == 0, _output(done)
    assert "IMAGE_SIZE, HUGGINGFACE_API_TOKEN are not read any more" in done.stdout
    assert "USE_MAC_OS_TTS" not in done.stdout and "EXECUTE_LOCAL_COMMANDS" not in done.stdout


def test_a_budget_with_a_model_of_unknown_price_is_refused_with_the_fix(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "2",
        "-y",
        "--budget",
        "0.5",
        env=agent_env(model_server, FAST_LLM_MODEL="llama-3-8b-instruct"),
    )
    assert done.returncode == 2
    line = done.stdout.strip().splitlines()[-1]  # after the profile is shown
    assert line.startswith(
        "ERROR: --budget $0.50 cannot be enforced: the price of 'llama-3-8b-instruct' is unknown"
    )
    assert "MODEL_PRICE_INPUT and MODEL_PRICE_OUTPUT" in line
    assert model_server.requests == []


def test_a_budget_uses_the_price_from_settings_for_an_unknown_model(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    # About 900 tokens a request at 3 cents per 1k input: the second would pass $0.06.
    model_server.script([autogpt_reply("write_to_file", {"filename": "f.txt", "text": "x"})])
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "5",
        "-y",
        "--budget",
        "0.06",
        env=agent_env(
            model_server,
            FAST_LLM_MODEL="llama-3-8b-instruct",
            MODEL_PRICE_INPUT="0.03",
            MODEL_PRICE_OUTPUT="0.06",
        ),
    )
    assert done.returncode == 3, _output(done)
    assert "Budget of $0.06 reached" in done.stdout
    assert "price of" not in done.stdout
    assert len(model_server.requests) == 1


def test_an_unknown_model_gets_one_warning_about_its_price(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(
        model_server,
        "-c",
        "-l",
        "3",
        "-y",
        env=agent_env(model_server, FAST_LLM_MODEL="llama-3-8b-instruct"),
    )
    assert done.returncode == 0, _output(done)
    assert done.stdout.count("The price of 'llama-3-8b-instruct' is unknown") == 1
