"""Only regular files are read or written: a FIFO in the workspace (as model code can make one)
is refused at once and the run goes on. ``python -m autogpt`` in continuous mode, with a timeout
so a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.e2e.harness import run_agent, write_profile
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer


def test_fifo_in_the_workspace_is_refused_and_the_run_finishes(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    os.mkfifo(workspace / "pipe")
    model_server.script(
        [
            autogpt_reply("read_file", {"filename": "pipe"}),
            autogpt_reply("append_to_file", {"filename": "pipe", "text": "x"}),
            autogpt_reply("write_to_file", {"filename": "pipe", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y", timeout=60)
    assert done.returncode == 0, done.stdout[-2000:]
    for request in model_server.requests[1:4]:
        assert "is not a regular file (a FIFO)" in request.messages[-1]["content"]
    assert stat.S_ISFIFO(os.lstat(workspace / "pipe").st_mode)
