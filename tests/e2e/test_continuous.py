"""The whole cycle from the outside: ``python -m autogpt`` against the scripted model server."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import agent_env, csv_steps, run_agent, write_profile
from tests.support.model_script import autogpt_reply, reply
from tests.support.model_server import ModelServer

CSV = "city,sales\n北京,120\nShanghai,95\n"


def test_csv_session_finishes_in_continuous_mode(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    (workspace / "data.csv").write_text(CSV, encoding="utf-8")
    write_profile(tmp_path)
    model_server.script(csv_steps())
    done = run_agent(model_server, "--continuous", "-l", "10", "-y", "--gpt3only")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (workspace / "summary.txt").read_text(encoding="utf-8") == (
        "北京 sells most.\nShanghai second.\n"
    )
    assert "summary written" in done.stdout
    # What the next request carried: the command's result, last.
    second = model_server.requests[1].messages
    assert second[-2]["role"] == "assistant"
    assert second[-1]["role"] == "user"
    assert second[-1]["content"].startswith("Command read_file returned: " + CSV)
    fifth = model_server.requests[4].messages
    assert "summary.txt" in fifth[-1]["content"] and "data.csv" in fifth[-1]["content"]
    assert "Traceback" not in done.stderr


def test_continuous_limit_stops_with_status_3(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "a"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "2", "-y")
    assert done.returncode == 3
    assert "Continuous limit of 2 reached" in done.stdout


def test_path_escapes_are_refused_reported_and_the_run_goes_on(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (workspace / "link").symlink_to(tmp_path)
    attempts = ["../secret.txt", str(tmp_path / "secret.txt"), "~/secret.txt", "link/secret.txt"]
    model_server.script(
        [autogpt_reply("read_file", {"filename": a}) for a in attempts]
        + [
            autogpt_reply("write_to_file", {"filename": "../escaped.txt", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "10", "-y")
    assert done.returncode == 0, done.stdout
    assert not (tmp_path / "escaped.txt").exists()
    for request in model_server.requests[1:6]:
        result = request.messages[-1]["content"]
        assert "outside the workspace" in result or "home directory" in result
        assert "top secret" not in result


def test_invented_command_is_reported_with_close_matches(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("execute_magic", {}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y")
    assert done.returncode == 0
    # write_file is an alias of write_to_file: it ran.
    assert (workspace / "a.txt").read_text(encoding="utf-8") == "x"
    unknown = model_server.requests[2].messages[-1]["content"]
    assert "Unknown command 'execute_magic'" in unknown
    assert "Available commands:" in unknown


def test_unusable_reply_gets_one_corrective_request_not_a_rerun(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("append_to_file", {"filename": "log.txt", "text": "once\n"}),
            reply("I think I will do something clever next."),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y")
    assert done.returncode == 0, done.stdout
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "once\n"
    correction = model_server.requests[2]
    assert correction.messages[0] == model_server.requests[1].messages[0]
    assert "could not be used" in correction.messages[-1]["content"]
    assert "no JSON object" in correction.messages[-1]["content"]


def test_missing_api_key_without_terminal_exits_2_saying_where(tmp_path: Path) -> None:
    write_profile(tmp_path)
    env = agent_env(None)
    env.pop("OPENAI_API_KEY", None)
    done = run_agent(None, "-c", "-l", "1", "-y", env=env)
    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stdout and ".env" in done.stdout


def test_bad_setting_exits_2_without_traceback(tmp_path: Path, model_server: ModelServer) -> None:
    write_profile(tmp_path)
    (tmp_path / ".env").write_text("FAST_TOKEN_LIMIT=lots\n", encoding="utf-8")
    env = agent_env(model_server)
    env.pop("FAST_TOKEN_LIMIT")  # .env decides
    done = run_agent(model_server, "-c", "-l", "1", "-y", env=env)
    assert done.returncode == 2
    assert "FAST_TOKEN_LIMIT='lots': expected an integer" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_bad_flag_is_a_usage_error(tmp_path: Path) -> None:
    done = run_agent(None, "--continuous-limit", "zero")
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_no_terminal_and_no_settings_exits_2_with_the_reason(
    tmp_path: Path, model_server: ModelServer
) -> None:
    done = run_agent(model_server, "-c", "-l", "1")
    assert done.returncode == 2
    assert "No AI settings" in done.stdout


def test_broken_settings_file_is_never_overwritten_silently(
    tmp_path: Path, model_server: ModelServer
) -> None:
    (tmp_path / "ai_settings.yaml").write_text("ai_name: [broken\n", encoding="utf-8")
    done = run_agent(model_server, "-c", "-l", "1", "-y")
    assert done.returncode == 2
    assert "not valid YAML" in done.stdout
    assert (tmp_path / "ai_settings.yaml").read_text(encoding="utf-8") == "ai_name: [broken\n"
