"""Replies that cannot crash or brick a session: ``python -m autogpt`` (continuous mode) against
the scripted server, with a 4,097-token window the server enforces as OpenAI does.

Each hostile reply is sent three times (the reply and both corrections), so the cycle ends with an
unusable reply; the run must go on, every later request must fit the window, and ``--resume`` of
the session must work."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import Reply, autogpt_reply, reply, tool_call_reply
from tests.support.model_server import ModelServer

WINDOW = 4097
DEEP = "[" * 20_000 + "]" * 20_000
HUGE = "x" * 50_000


def _json_reply(name: str, args: str) -> str:
    return (
        '{"thoughts": {"text": "t", "plan": "- go"}, "command": {"name": "'
        + name
        + '", "args": '
        + args
        + "}}"
    )


HOSTILE = {
    "bare-nesting": (reply(DEEP), "nested"),
    "nesting-in-argument": (
        reply(_json_reply("read_file", '{"filename": ' + DEEP + "}")),
        "nested",
    ),
    "long-command-name": (
        reply(_json_reply(HUGE, '{"filename": "a.txt"}')),
        "command name was 50,000 characters",
    ),
    "long-argument": (
        reply(_json_reply("read_file", json.dumps({"filename": HUGE}))),
        "'filename' of 'read_file' was 50,000 characters",
    ),
    "tool-call-flood": (
        reply(None, [("read_file", {"filename": "a.txt"})] * 5000),
        "5,000 tool calls",
    ),
}


def _env(server: ModelServer, case: str) -> dict[str, str]:
    return agent_env(server, OPENAI_FUNCTIONS="true" if case == "tool-call-flood" else "false")


def _done_step(case: str) -> Reply:
    if case == "tool-call-flood":
        return tool_call_reply("task_complete", {"reason": "done"})
    return autogpt_reply("task_complete", {"reason": "done"})


def run_agent_via(server: ModelServer, wrapper: str) -> subprocess.CompletedProcess[str]:
    """``python -m autogpt -c -l 5 -y`` started by ``python -c wrapper`` (to measure it)."""
    return subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "autogpt", "-c", "-l", "5", "-y"],
        env=agent_env(server, OPENAI_TIMEOUT="600"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def _assert_every_request_fits(server: ModelServer) -> None:
    for request in server.requests:
        assert request.answered_by != "context_length_exceeded"
        assert request.prompt_tokens + request.body["max_tokens"] <= WINDOW


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_reply_is_unusable_and_the_run_goes_on(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path, case: str
) -> None:
    write_profile(tmp_path)
    hostile, said = HOSTILE[case]
    server = model_server_factory(
        hostile, hostile, hostile, _done_step(case), context_window=WINDOW
    )
    done = run_agent(server, "-c", "-l", "5", "-y", env=_env(server, case))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "could not be used" in done.stdout and said in done.stdout
    assert "Internal error" not in done.stdout and "Traceback" not in done.stderr
    _assert_every_request_fits(server)
    told = [str(m.get("content")) for m in server.requests[3].messages]
    assert any("could not be used" in text and said in text for text in told)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_session_with_a_hostile_reply_resumes(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path, case: str
) -> None:
    write_profile(tmp_path)
    hostile, _ = HOSTILE[case]
    first = model_server_factory(hostile, hostile, hostile, context_window=WINDOW)
    stopped = run_agent(first, "-c", "-l", "1", "-y", env=_env(first, case))
    assert stopped.returncode == 3, stopped.stdout[-2000:]
    second = model_server_factory(_done_step(case), context_window=WINDOW)
    done = run_agent(second, "--resume", "-l", "5", env=_env(second, case))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    _assert_every_request_fits(second)


BIG_WRITE_CHARS = 20 * 1024 * 1024


def test_huge_write_is_refused_and_stored_nowhere(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    """A 20 MB ``write_to_file`` (far beyond any reply a model may send) is an unusable reply:
    the file is not written, the journal stays small (it held the text twice: 42 MB), and the
    agent's peak memory is what the HTTP client needs to receive the reply."""
    write_profile(tmp_path)
    big = autogpt_reply("write_to_file", {"filename": "big.txt", "text": "y" * BIG_WRITE_CHARS})
    server = model_server_factory(
        big,
        autogpt_reply("write_to_file", {"filename": "big.txt", "text": "small"}),
        _done_step("json"),
        context_window=WINDOW,
    )
    wrapper = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print('rss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(done.returncode)"
    )
    done = run_agent_via(server, wrapper)
    assert done.returncode == 0, done.stdout[-2000:]
    (journal,) = (tmp_path / ".autogpt" / "sessions").glob("*/journal.jsonl")
    rss_kb = int(done.stdout.split("rss ")[-1].split()[0])
    assert journal.stat().st_size < 1024 * 1024, journal.stat().st_size  # was twice the text
    assert rss_kb * 1024 < 10 * BIG_WRITE_CHARS, rss_kb  # 272 MB before, 165 MB after
    assert "characters long; at most 100,000 are allowed" in done.stdout, done.stdout[-1500:]
    assert (workspace / "big.txt").read_text(encoding="utf-8") == "small"
