"""Manual mode on a pseudo-terminal: y, y -N, feedback, n, Ctrl-D, Ctrl-C."""

from __future__ import annotations

import signal
from pathlib import Path

import pexpect

from tests.e2e.harness import csv_steps, spawn_agent, write_profile
from tests.support.model_script import autogpt_reply, delay
from tests.support.model_server import ModelServer


def _answer(child: pexpect.spawn[str], text: str) -> None:
    child.expect("Input:")
    child.sendline(text)


def _finish(child: pexpect.spawn[str]) -> int | None:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_y_runs_each_command_and_the_session_finishes(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    (workspace / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_profile(tmp_path)
    model_server.script(csv_steps())
    child = spawn_agent(model_server, "-y")
    for _ in range(5):
        _answer(child, "y")
    assert _finish(child) == 0
    assert (workspace / "summary.txt").exists()


def test_y_dash_3_runs_three_commands_then_asks_again(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    (workspace / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_profile(tmp_path)
    model_server.script(csv_steps())
    child = spawn_agent(model_server, "-y")
    _answer(child, "y -3")
    child.expect(r"2 more without asking")
    child.expect(r"1 more without asking")
    # The fourth command is asked for again.
    child.expect("Input:")
    assert len(model_server.requests) == 4
    child.sendline("y")
    _answer(child, "y")
    assert _finish(child) == 0
    assert (workspace / "summary.txt").read_text(encoding="utf-8").endswith("second.\n")


def test_feedback_goes_to_the_model_and_no_command_runs(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "english.txt", "text": "hello"}),
            autogpt_reply("write_to_file", {"filename": "中文.txt", "text": "你好"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    _answer(child, "请用中文写")
    _answer(child, "y")
    _answer(child, "y")
    assert _finish(child) == 0
    assert not (workspace / "english.txt").exists()
    assert (workspace / "中文.txt").read_text(encoding="utf-8") == "你好"
    assert model_server.requests[1].messages[-1]["content"].startswith("Human feedback: 请用中文写")


def test_invalid_answers_are_explained_and_asked_again(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    child = spawn_agent(model_server, "-y")
    for bad in ("", "y -0", "y -x", "y --3"):
        _answer(child, bad)
        child.expect("Enter 'y' to run the command")
    _answer(child, "y")
    assert _finish(child) == 0


def test_n_saves_and_exits_with_status_0(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"})])
    child = spawn_agent(model_server, "-y")
    _answer(child, "n")
    assert _finish(child) == 0
    assert not (workspace / "a.txt").exists()
    assert list((tmp_path / ".autogpt" / "sessions").glob("*/report.md"))


def test_ctrl_d_saves_and_exits_with_status_3(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"})])
    child = spawn_agent(model_server, "-y")
    child.expect("Input:")
    child.sendeof()
    child.expect("Input closed")
    assert _finish(child) == 3


def test_ctrl_c_while_waiting_for_the_model_stops_cleanly(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([delay(30, then=autogpt_reply("task_complete", {"reason": "late"}))])
    child = spawn_agent(model_server, "-y")
    child.expect("Model:")
    # Wait until the request is in flight, then interrupt.
    for _ in range(100):
        if model_server.requests:
            break
        child.expect([pexpect.TIMEOUT], timeout=0.05)
    child.kill(signal.SIGINT)
    child.expect("Interrupted")
    output = child.before or ""
    assert _finish(child) == 130
    assert "Traceback" not in output


def test_settings_file_reuse_is_asked_without_skip_reprompt(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    child = spawn_agent(model_server)
    child.expect(r"Continue with the last settings")
    child.sendline("y")
    _answer(child, "y")
    assert _finish(child) == 0


def test_interactive_setup_saves_chinese_goals(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    child = spawn_agent(model_server)
    child.expect("AI Name:")
    child.sendline("市场规划经理")
    child.expect("is:")
    child.sendline("帮助公司制定市场营销计划")
    child.expect("Goal 1:")
    child.sendline("写一篇关于冰淇淋的市场调查报告, 要求100字")
    child.expect("Goal 2:")
    child.sendline("")
    _answer(child, "y")
    assert _finish(child) == 0
    saved = (tmp_path / "ai_settings.yaml").read_text(encoding="utf-8")
    assert "写一篇关于冰淇淋的市场调查报告" in saved and "\\u" not in saved
