"""The real agbenchmark 0.0.10 from PyPI (in its own venv) drives ``python -m autogpt serve``,
which is backed by the scripted model server. Nothing reaches the internet."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.serve.client_venvs import AGBENCHMARK, script
from tests.serve.conftest import StartServe
from tests.serve.scripted_agent import challenge_brain
from tests.serve.server_process import ServeProcess
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

MOCK_CHALLENGES = 14
"""The challenges agbenchmark 0.0.10 collects (its deprecated ones are not)."""


def _agbenchmark(
    folder: Path, server: ServeProcess, *flags: str
) -> subprocess.CompletedProcess[str]:
    config = folder / "agbenchmark_config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.json").write_text(json.dumps({"host": server.base}), encoding="utf-8")
    return subprocess.run(
        [str(script(AGBENCHMARK, "agbenchmark")), "start", *flags],
        cwd=folder,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )


def _counts(output: str) -> dict[str, int]:
    last = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    assert last, output[-3000:]
    return {
        word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|error|skipped)", last[-1])
    }


def test_agbenchmark_mock_run_passes_every_challenge(
    model_server_factory: Callable[..., ModelServer], serve: StartServe, tmp_path: Path
) -> None:
    model = model_server_factory(autogpt_reply("task_complete", {"reason": "done"}), loop=True)
    server = serve(model)
    run = _agbenchmark(tmp_path / "bench", server, "--mock", "--no_dep")
    counts = _counts(run.stdout)
    assert counts == {"passed": MOCK_CHALLENGES}, run.stdout[-3000:] + server.log()[-2000:]
    assert "Internal error" not in server.log()


def _results(folder: Path) -> dict[str, bool]:
    (report,) = (folder / "agbenchmark_config" / "reports").glob("*/report.json")
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    return {name: bool(test["metrics"]["success"]) for name, test in tests.items()}


def test_write_file_and_read_file_pass_for_real_with_the_files_as_artifacts(
    model_server_factory: Callable[..., ModelServer], serve: StartServe, tmp_path: Path
) -> None:
    """The interface category: WriteFile and ReadFile are judged on the files downloaded as
    artifacts; Search needs the public internet, so the scripted model gives up on it."""
    model = model_server_factory(challenge_brain, loop=True)
    server = serve(model)
    folder = tmp_path / "bench"
    run = _agbenchmark(folder, server, "--category", "interface", "--no_dep")
    results = _results(folder)
    assert results == {"TestSearch": False, "TestWriteFile": True, "TestReadFile": True}, (
        run.stdout[-3000:]
    )
    read_then_written = [r for r in model.requests if "output.txt" in json.dumps(r.body)]
    assert any("Hello World!" in json.dumps(r.body) for r in read_then_written)
