"""The report written at every end of a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import run_agent, write_profile
from tests.support.model_script import Step, autogpt_reply
from tests.support.model_server import ModelServer
from tests.support.openai_errors import server_error


def _report(tmp_path: Path) -> str:
    (path,) = (tmp_path / ".autogpt" / "sessions").glob("*/report.md")
    return path.read_text(encoding="utf-8")


def test_finished_report_lists_goals_commands_files_and_cost(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (workspace / "old.txt").write_text("old", encoding="utf-8")
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "报告.md", "text": "冰淇淋"}),
            autogpt_reply("delete_file", {"filename": "old.txt"}),
            autogpt_reply("read_file", {"filename": "missing.txt"}),
            autogpt_reply("task_complete", {"reason": "report written"}),
        ]
    )
    done = run_agent(model_server, "-c", "-l", "5", "-y")
    assert done.returncode == 0
    report = _report(tmp_path)
    assert "写一篇关于冰淇淋的市场调查报告" in report
    assert "- finished: report written (exit status 0)" in report
    assert "- write_to_file: 1" in report and "- read_file: 1" in report
    assert "- old.txt: deleted" in report
    assert "cycle 3: read_file: Error: file 'missing.txt' does not exist" in report
    assert "- 报告.md: created" in report
    assert "gpt-3.5-turbo: 4 requests" in report
    assert "## Resume" not in report
    assert "report.md" in done.stdout


@pytest.mark.parametrize(
    ("steps", "flags", "outcome"),
    [
        ([autogpt_reply("list_files", {})], ["-l", "1"], "- limit: Continuous limit of 1 reached"),
        ([autogpt_reply("list_files", {})] * 5, ["-l", "9"], "- stuck: stuck: the same command"),
        ([server_error(503)] * 7, ["-l", "9"], "- model_unavailable: The model at"),
    ],
)
def test_unfinished_reports_say_why_and_how_to_resume(
    model_server: ModelServer,
    tmp_path: Path,
    workspace: Path,
    steps: list[Step],
    flags: list[str],
    outcome: str,
) -> None:
    write_profile(tmp_path)
    model_server.script(steps)
    done = run_agent(model_server, "-c", *flags, "-y", timeout=120)
    assert done.returncode == 3
    report = _report(tmp_path)
    assert outcome in report
    assert "## Resume" in report and "--resume" in done.stdout
