"""SIGTERM, SIGHUP and a closed stdout stop a run as Ctrl-C does: saved, reported, status
recorded, an exit status that says which, and ``--resume`` goes on.

Real signals to real ``python -m autogpt`` processes (continuous mode) against the scripted
model server: sent while a command runs (Python code sleeping in the local sandbox) and while a
model request is in flight (sent by the server before it answers). The closed pipe is a real
``head -3``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.harness import agent_env, run_agent, spawn_agent, write_profile
from tests.support.model_script import Reply, RequestRecord, Step, autogpt_reply
from tests.support.model_server import ModelServer

FLAGS = ["-c", "-l", "10", "-y"]


def _append(i: int) -> Reply:
    return autogpt_reply("append_to_file", {"filename": "log.txt", "text": f"step {i}\n"})


def _spawn(
    server: ModelServer, stdout: int = subprocess.PIPE, **extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "autogpt", *FLAGS],
        env=agent_env(server, **extra),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def _session(tmp_path: Path) -> Path:
    (folder,) = (tmp_path / ".autogpt" / "sessions").iterdir()
    return folder


def _events(tmp_path: Path) -> list[dict[str, Any]]:
    text = (_session(tmp_path) / "journal.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _command_started(tmp_path: Path, cycle: int) -> bool:
    try:
        return any(
            e["type"] == "command_started" and e.get("cycle") == cycle for e in _events(tmp_path)
        )
    except (OSError, ValueError):
        return False


def _assert_saved(tmp_path: Path, status: str, exit_code: int) -> None:
    report = (_session(tmp_path) / "report.md").read_text(encoding="utf-8")
    assert f"- {status}: " in report and f"(exit status {exit_code})" in report
    assert "## Resume" in report
    listed = run_agent(None, "--list-sessions")
    assert f"status={status}" in listed.stdout, listed.stdout
    assert _events(tmp_path)[-1]["type"] == "end"


def test_sigterm_while_a_command_runs_saves_reports_and_exits_143(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    sleeper = {"name": "sleep.py", "code": "import time\ntime.sleep(60)\n"}
    first = model_server_factory(_append(1), autogpt_reply("execute_python_code", sleeper))
    proc = _spawn(first, EXECUTION_BACKEND="local")
    deadline = time.monotonic() + 30
    while not _command_started(tmp_path, 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, out + err
    assert "Stopped (terminated)" in out and "Resume with:" in out
    assert "Traceback" not in err
    _assert_saved(tmp_path, "terminated", 143)

    second = model_server_factory(_append(2), autogpt_reply("task_complete", {"reason": "done"}))
    done = run_agent(second, "--resume", env=agent_env(second, EXECUTION_BACKEND="local"))
    assert done.returncode == 0, done.stdout
    assert (
        "Command execute_python_code was interrupted" in second.requests[0].messages[-1]["content"]
    )
    assert "it stops after 8 more cycles" in done.stdout  # the rest of its window of 10
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\n"


def test_sighup_during_a_model_request_saves_reports_and_exits_129(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    box: dict[str, Any] = {}

    def hang_up(record: RequestRecord) -> Step:
        box["request"] = record.messages
        os.kill(box["proc"].pid, signal.SIGHUP)
        return _append(2)

    first = model_server_factory(_append(1), hang_up)
    box["proc"] = proc = _spawn(first)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 129, out + err
    assert "Stopped (hangup)" in out
    assert "Traceback" not in err
    _assert_saved(tmp_path, "hangup", 129)

    second = model_server_factory(_append(2), autogpt_reply("task_complete", {"reason": "done"}))
    done = run_agent(second, "--resume", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    assert second.requests[0].messages == box["request"]
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\n"


def test_closing_the_terminal_at_the_prompt_saves_as_hangup(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """Manual mode on a pty; the terminal goes away while the agent waits for y/n: the kernel
    sends SIGHUP, and input and output fail. Status hangup, not "input closed" or a crash."""
    write_profile(tmp_path)
    model_server.script([autogpt_reply("list_files", {"directory": "."})])
    child = spawn_agent(model_server, "-y")
    child.expect("Input:")
    os.close(child.child_fd)  # what closing the terminal window does (pexpect.close would
    child.child_fd = -1  # also send SIGINT)
    assert child.pid is not None
    _, status = os.waitpid(child.pid, 0)
    child.terminated = True
    assert os.waitstatus_to_exitcode(status) == 129
    _assert_saved(tmp_path, "hangup", 129)
    assert not any(e["type"] == "command_started" for e in _events(tmp_path))  # not authorised


def _pipe_into(
    reader: list[str], server: ModelServer
) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    read, write = os.pipe()
    proc = _spawn(server, stdout=write)
    os.close(write)
    head = subprocess.Popen(reader, stdin=read, stdout=subprocess.PIPE, text=True)
    os.close(read)
    return proc, head


def _assert_closed_quietly(
    proc: subprocess.Popen[str], tmp_path: Path, *, maybe_before_start: bool = False
) -> None:
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 141, err
    for word in ("Traceback", "Exception ignored", "BrokenPipeError"):
        assert word not in err, err
    if maybe_before_start and "before the run started" in err:
        assert not (tmp_path / ".autogpt" / "sessions").exists()  # no session to strand
        return
    assert "Stopped (output_closed)" in err and "Resume with:" in err
    _assert_saved(tmp_path, "output_closed", 141)


def test_stdout_closed_mid_run_stops_cleanly_without_a_traceback(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    """``autogpt ... | grep -m1 returned:``: grep exits at the first command's result, before
    the second reply is printed, so that print meets a closed pipe; the second command does not
    run."""
    write_profile(tmp_path)
    box: dict[str, Any] = {}

    def after_the_reader_exits(record: RequestRecord) -> Step:
        box["reader"].wait(timeout=20)
        return _append(2)

    first = model_server_factory(_append(1), after_the_reader_exits)
    proc, box["reader"] = _pipe_into(["grep", "-m1", "returned:"], first)
    shown, _ = box["reader"].communicate(timeout=30)
    assert "append_to_file" in shown
    _assert_closed_quietly(proc, tmp_path)
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\n"

    second = model_server_factory(_append(2), autogpt_reply("task_complete", {"reason": "done"}))
    done = run_agent(second, "--resume", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "step 1\nstep 2\n"


def test_stdout_closed_by_head_3_stops_cleanly_without_a_traceback(
    tmp_path: Path, workspace: Path
) -> None:
    """``autogpt ... | head -3``: the pipe closes while the AI is shown (then no session was
    begun), while the session is set up, or in the first cycles: when head exits is up to the
    scheduler, so the server answers any number of requests."""
    write_profile(tmp_path)
    server = ModelServer([_append(1)], loop=True)
    try:
        proc, head = _pipe_into(["head", "-3"], server)
        shown, _ = head.communicate(timeout=30)
        assert len(shown.splitlines()) == 3
        _assert_closed_quietly(proc, tmp_path, maybe_before_start=True)
    finally:
        server.close()


def test_help_lists_the_exit_status_of_each_stop() -> None:
    shown = run_agent(None, "--help").stdout
    for status in ("130 Ctrl-C", "143 SIGTERM", "129 SIGHUP", "141 standard output closed"):
        assert status in " ".join(shown.split()), shown


def test_under_nohup_a_hang_up_is_ignored(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    """``nohup autogpt ...``: SIGHUP was ignored when autogpt started, so the run goes on."""
    write_profile(tmp_path)
    box: dict[str, Any] = {}

    def hang_up(record: RequestRecord) -> Step:
        os.kill(box["proc"].pid, signal.SIGHUP)
        return autogpt_reply("task_complete", {"reason": "done"})

    server = model_server_factory(_append(1), hang_up)
    box["proc"] = proc = subprocess.Popen(
        ["nohup", sys.executable, "-m", "autogpt", *FLAGS],
        env=agent_env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, out + err
    assert "Finished: done" in out
