"""A task survives a restart of the server: SIGTERM saves the run waiting for its answer, and the
next step after the restart resumes it from its journal, history and files intact."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable

from tests.serve.conftest import StartServe
from tests.serve.scripted_agent import last_result
from tests.support.model_script import RequestRecord, Step, autogpt_reply
from tests.support.model_server import ModelServer


def test_restarting_serve_mid_task_resumes_the_task_at_its_next_step(
    model_server_factory: Callable[..., ModelServer], serve: StartServe
) -> None:
    def resumed_request(record: RequestRecord) -> Step:
        result = last_result(record)
        assert result is not None and result[0] == "write_to_file", "history lost"
        assert "a.txt" in result[1]
        return autogpt_reply("write_to_file", {"filename": "b.txt", "text": "two"})

    model = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "a.txt", "text": "one"}),
        autogpt_reply("write_to_file", {"filename": "b.txt", "text": "two"}),
        resumed_request,  # after the restart the proposal is asked for again
        autogpt_reply("task_complete", {"reason": "both written"}),
    )
    first = serve(model)
    task = first.create("Write a.txt, then b.txt")
    assert first.step(task)["name"] == "write_to_file"
    assert first.step(task)["additional_output"]["result"]["ok"] is True
    assert first.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once it stopped

    second = serve(model, port=first.port)
    resumed = second.step(task, "y")
    assert resumed["name"] == "write_to_file"
    assert "resumed it from its journal" in resumed["additional_output"]["note"]
    assert not (second.workspace_root / task / "b.txt").exists()  # "y" was for a proposal
    second.step(task)
    last = second.step(task)
    assert last["is_last"] is True
    assert last["additional_output"]["status"] == "finished"
    workspace = second.workspace_root / task
    assert (workspace / "a.txt").read_text(encoding="utf-8") == "one"
    assert (workspace / "b.txt").read_text(encoding="utf-8") == "two"
    steps = second.request("GET", f"/agent/tasks/{task}/steps?page_size=100").body
    assert steps["pagination"]["total_items"] == 5
    (journal,) = (second.data_dir / task).rglob("journal.jsonl")
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert "resumed" in [line["type"] for line in lines]
    ends = [line for line in lines if line["type"] == "end"]
    assert [end["status"] for end in ends] == ["interrupted", "finished"]
    assert ends[0]["reason"] == "The server stops; the run is saved."  # not "by Ctrl-C"
