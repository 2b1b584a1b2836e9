"""Nothing is lost: a run killed with SIGKILL during cycle 4 is finished by ``--resume``.

Killed at three points: while the model request of cycle 4 is in flight (before the command),
while its command runs (Python code sleeping in the local sandbox), and after it (the request
of cycle 5).
"""

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

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import Reply, RequestRecord, Step, autogpt_reply
from tests.support.model_server import ModelServer

LIMIT = ["-c", "-l", "12", "-y"]


def _append(i: int) -> Reply:
    return autogpt_reply("append_to_file", {"filename": "log.txt", "text": f"step {i}\n"})


def _spawn(server: ModelServer, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "autogpt", *LIMIT],
        env=agent_env(server, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _killer(proc_box: dict[str, Any], then: Step) -> Callable[[RequestRecord], Step]:
    def step(record: RequestRecord) -> Step:
        proc_box["killed_request"] = record.messages
        os.kill(proc_box["proc"].pid, signal.SIGKILL)
        return then

    return step


def _journal(tmp_path: Path) -> Path:
    (path,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    return path


def _events(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in _journal(tmp_path).read_text(encoding="utf-8").splitlines()]


def _wait(proc: subprocess.Popen[str]) -> None:
    proc.wait(timeout=30)
    assert proc.stdout is not None
    proc.stdout.close()


def test_killed_before_the_command_resumes_with_the_same_request(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    box: dict[str, Any] = {}
    first = model_server_factory(*[_append(i) for i in (1, 2, 3)], _killer(box, _append(4)))
    box["proc"] = _spawn(first)
    _wait(box["proc"])
    assert box["proc"].returncode == -signal.SIGKILL
    second = model_server_factory(
        *[_append(i) for i in range(4, 8)], autogpt_reply("task_complete", {"reason": "done"})
    )
    done = run_agent(second, "--resume", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    assert second.requests[0].messages == box["killed_request"]
    log = (workspace / "log.txt").read_text(encoding="utf-8")
    assert log == "".join(f"step {i}\n" for i in range(1, 8))


def test_killed_during_the_command_tells_the_model_and_does_not_rerun_it(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    sleeper = {"name": "sleep.py", "code": "import time\ntime.sleep(60)\n"}
    first = model_server_factory(
        *[_append(i) for i in (1, 2, 3)], autogpt_reply("execute_python_code", sleeper)
    )
    proc = _spawn(first, EXECUTION_BACKEND="local")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if _journal_has_start(tmp_path, cycle=4):
            break
        time.sleep(0.05)
    time.sleep(0.2)
    proc.kill()
    _wait(proc)
    second = model_server_factory(_append(4), autogpt_reply("task_complete", {"reason": "done"}))
    done = run_agent(second, "--resume", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    told = second.requests[0].messages[-1]["content"]
    assert "Command execute_python_code was interrupted" in told
    assert "interrupted" in done.stdout
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "".join(
        f"step {i}\n" for i in range(1, 5)
    )


def _journal_has_start(tmp_path: Path, cycle: int) -> bool:
    try:
        return any(
            e.get("type") == "command_started" and e.get("cycle") == cycle
            for e in _events(tmp_path)
        )
    except (ValueError, OSError):
        return False


def test_killed_after_the_command_repeats_nothing(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    box: dict[str, Any] = {}
    first = model_server_factory(*[_append(i) for i in (1, 2, 3, 4)], _killer(box, _append(5)))
    box["proc"] = _spawn(first)
    _wait(box["proc"])
    second = model_server_factory(
        *[_append(i) for i in range(5, 8)], autogpt_reply("task_complete", {"reason": "done"})
    )
    done = run_agent(second, "--resume", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    assert second.requests[0].messages == box["killed_request"]
    assert (workspace / "log.txt").read_text(encoding="utf-8") == "".join(
        f"step {i}\n" for i in range(1, 8)
    )


def test_resuming_a_finished_session_says_so_and_exits_0(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    assert run_agent(model_server, *LIMIT).returncode == 0
    again = run_agent(model_server, "--resume")
    assert again.returncode == 0
    assert "already finished" in again.stdout


def test_torn_last_line_loads_up_to_the_last_whole_record(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    first = model_server_factory(_append(1), _append(2))
    assert run_agent(first, "-c", "-l", "2", "-y").returncode == 3
    with _journal(tmp_path).open("a", encoding="utf-8") as handle:
        handle.write('{"type": "command_started", "cycle": 3, "assis')
    second = model_server_factory(autogpt_reply("task_complete", {"reason": "done"}))
    done = run_agent(second, "--resume", "-l", "5", env=agent_env(second))
    assert done.returncode == 0, done.stdout
    assert "last line was cut" in done.stdout
    assert "Command append_to_file returned" in second.requests[0].messages[-1]["content"]


def test_list_sessions_shows_goals_cycles_status_and_cost(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([_append(1)])
    run_agent(model_server, "-c", "-l", "1", "-y")
    listed = run_agent(None, "--list-sessions")
    assert listed.returncode == 0
    assert "cycles=1" in listed.stdout and "status=limit" in listed.stdout
    assert "冰淇淋" in listed.stdout


def test_the_api_key_never_reaches_the_journal(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [autogpt_reply("write_to_file", {"filename": "k.txt", "text": "sk-secret-abcdef"})]
    )
    env = agent_env(model_server, OPENAI_API_KEY="sk-secret-abcdef")
    run_agent(model_server, "-c", "-l", "1", "-y", env=env)
    folder = _journal(tmp_path).parent
    for path in folder.iterdir():
        assert "sk-secret-abcdef" not in path.read_text(encoding="utf-8")
