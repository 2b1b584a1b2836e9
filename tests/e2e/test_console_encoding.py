"""A console that is not UTF-8 (GBK on Chinese Windows) never crashes the output: what it cannot
show is replaced, the run goes on and ends as it would on a UTF-8 console."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.harness import agent_env
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

NOT_IN_GBK = "🍦✅"
"""Characters GBK has no code for (an emoji and a check mark)."""


def test_a_gbk_console_shows_chinese_and_replaces_what_it_cannot_encode(
    model_server: ModelServer,
) -> None:
    model_server.script(
        [
            autogpt_reply(
                "write_to_file",
                {"filename": "报告.md", "text": f"冰淇淋{NOT_IN_GBK}\n"},
                text=f"我先写报告{NOT_IN_GBK}",
            ),
            autogpt_reply("task_complete", {"reason": f"完成{NOT_IN_GBK}"}),
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "autogpt", "-c", "-l", "5", "--ai-name", "市场规划经理",
         "--goal", f"写一篇关于冰淇淋的市场调查报告{NOT_IN_GBK}"],
        env=agent_env(model_server, PYTHONIOENCODING="gbk"),
        capture_output=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    out = done.stdout.decode("gbk")  # every byte written is valid GBK
    err = done.stderr.decode("gbk")
    assert done.returncode == 0, out + err
    assert "Traceback" not in out + err and "UnicodeEncodeError" not in out + err
    assert "我先写报告" in out and "市场规划经理" in out
    assert "Finished: 完成" in out
    for char in NOT_IN_GBK:
        assert char not in out
