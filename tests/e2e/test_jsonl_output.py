"""``--output-format jsonl``: a program reads the run from standard output, one JSON object per
line and nothing else; the last line is the end event, matching the exit status."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.harness import agent_env, run_agent
from tests.support.model_script import autogpt_reply, reply, streamed
from tests.support.model_server import ModelServer
from tests.support.openai_errors import invalid_api_key

GOAL = ["--goal", "写一篇关于冰淇淋的市场调查报告", "--output-format", "jsonl"]


def _lines(stdout: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stdout.splitlines()]  # every line parses
    assert all(isinstance(line, dict) and "type" in line for line in lines)
    return lines


def test_a_finished_run_prints_start_events_and_an_end_that_matches_the_exit_status(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "报告.md", "text": "冰淇淋\n"}),
        reply("not json"),
        autogpt_reply("task_complete", {"reason": "report written"}),
    )
    done = run_agent(server, "-c", "-l", "5", *GOAL, stdin=None)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = _lines(done.stdout)
    types = [line["type"] for line in lines]
    assert types[0] == "start" and types[-1] == "end"
    assert lines[0]["profile"]["ai_goals"] == ["写一篇关于冰淇淋的市场调查报告"]
    for kind in ("request", "reply", "command_started", "command_finished", "correction"):
        assert kind in types
    end = lines[-1]
    assert end["status"] == "finished" and end["exit_code"] == 0 and end["cycles"] == 2
    assert end["reason"] == "report written"
    assert end["cost_usd"] > 0 and end["tokens"]["prompt"] > 0 and end["tokens"]["completion"] > 0
    report = Path(end["report"])
    assert report.name == "report.md" and report.parent.name == end["session"]
    assert (tmp_path / report).exists() or report.exists()
    assert "THOUGHTS" in done.stderr  # the text for people, on standard error
    assert "\x1b[" not in done.stdout + done.stderr  # no colours, no spinner


def test_a_run_stopped_by_its_limit_ends_with_status_limit_and_exit_3(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(autogpt_reply("list_files", {"directory": "."}))
    done = run_agent(server, "-c", "-l", "1", *GOAL, stdin=None)
    assert done.returncode == 3
    end = _lines(done.stdout)[-1]
    assert end["type"] == "end" and end["status"] == "limit" and end["exit_code"] == 3
    warnings = [line for line in _lines(done.stdout) if line["type"] == "warning"]
    assert any("Continuous mode" in w["text"] for w in warnings)


def test_a_run_stopped_by_an_error_ends_with_its_status_and_exit_code(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(invalid_api_key())
    done = run_agent(server, "-c", "-l", "3", *GOAL, stdin=None)
    assert done.returncode not in (0, 3)
    end = _lines(done.stdout)[-1]
    assert end["type"] == "end" and end["status"] == "error"
    assert end["exit_code"] == done.returncode


def test_a_setting_that_stops_the_start_still_ends_with_an_end_line(
    tmp_path: Path, workspace: Path
) -> None:
    env = agent_env(None, OPENAI_API_KEY="sk-test", FAST_TOKEN_LIMIT="many")
    done = run_agent(None, "-c", "-l", "1", *GOAL, env=env, stdin=None)
    assert done.returncode == 2
    warning, end = _lines(done.stdout)
    assert warning["type"] == "warning" and warning["level"] == "error"
    assert end["type"] == "end" and end["status"] == "error" and end["exit_code"] == 2
    assert "FAST_TOKEN_LIMIT" in end["reason"] and "FAST_TOKEN_LIMIT" in done.stderr


def test_include_partial_adds_the_streaming_thought_before_its_reply_never_journaled(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    thought = "I will write the report on ice cream now."
    server = model_server_factory(
        streamed(
            autogpt_reply("write_to_file", {"filename": "r.md", "text": "冰淇淋"}, text=thought),
            chunk_chars=6,
        ),
        streamed(autogpt_reply("task_complete", {"reason": "written"}), chunk_chars=6),
    )
    done = run_agent(server, "-c", "-l", "5", *GOAL, "--include-partial", stdin=None)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = _lines(done.stdout)
    types = [line["type"] for line in lines]
    assert types[0] == "start" and types[-1] == "end" and types.count("end") == 1
    first_reply = types.index("reply")
    deltas = [line for line in lines[:first_reply] if line["type"] == "thought_delta"]
    assert len(deltas) > 3
    rebuilt = ""
    for delta in deltas:
        rebuilt = rebuilt[: delta["offset"]] + delta["text"]
    assert rebuilt == thought == lines[first_reply]["thoughts"]["text"]
    journal = next(tmp_path.glob(".autogpt/sessions/*/journal.jsonl")).read_text(encoding="utf-8")
    assert "thought_delta" not in journal and thought in journal
    report = Path(lines[-1]["report"])
    report = report if report.is_absolute() else tmp_path / report
    assert "thought_delta" not in report.read_text(encoding="utf-8")


def test_without_include_partial_no_thought_delta_line_is_written(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(
        streamed(autogpt_reply("task_complete", {"reason": "done"}), chunk_chars=6)
    )
    done = run_agent(server, "-c", "-l", "5", *GOAL, stdin=None)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "thought_delta" not in [line["type"] for line in _lines(done.stdout)]


def test_include_partial_without_jsonl_is_a_usage_error(tmp_path: Path, workspace: Path) -> None:
    done = run_agent(None, "-c", "--include-partial", stdin=None)
    assert done.returncode == 2
    assert "--include-partial goes with --output-format jsonl" in done.stderr
    assert "Traceback" not in done.stderr
