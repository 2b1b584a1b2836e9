"""A secret that a command's result holds (the API key in a file the agent reads, a proxy's
password in a program's output) is scrubbed before the model or the user sees it: the next
request, the terminal and the journal show ``[redacted]`` instead. ``python -m autogpt`` in
continuous mode against the scripted model server."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

KEY = "sk-test-secret-key-0123456789"
PROXY_PASSWORD = "proxy-pass-98765"


def test_a_secret_in_a_command_result_reaches_neither_the_model_nor_the_terminal(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (workspace / "notes.txt").write_text(
        f"key={KEY}\nproxy password={PROXY_PASSWORD}\nplain words stay\n", encoding="utf-8"
    )
    model_server.script(
        [
            autogpt_reply("read_file", {"filename": "notes.txt"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    env = agent_env(
        model_server,
        OPENAI_API_KEY=KEY,
        # A proxy that is never used (NO_PROXY covers the model server) but has a password.
        HTTP_PROXY=f"http://user:{PROXY_PASSWORD}@127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        AUTOGPT_DATA_DIR=str(tmp_path / "data"),
    )
    done = run_agent(model_server, "-c", "-l", "3", env=env, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    seen = model_server.requests[1].messages[-1]["content"]
    assert "plain words stay" in seen
    assert "key=[redacted]" in seen and "proxy password=[redacted]" in seen
    assert KEY not in seen and PROXY_PASSWORD not in seen
    assert "plain words stay" in done.stdout
    assert KEY not in done.stdout + done.stderr
    assert PROXY_PASSWORD not in done.stdout + done.stderr
    journals = list((tmp_path / "data").rglob("journal.jsonl"))
    assert journals, "the run kept a journal"
    assert KEY not in journals[0].read_text(encoding="utf-8")
