"""agent-protocol-client 1.1.0 from PyPI (in its own venv) drives a task as a front end would:
an upload, the first proposal, feedback, then approval; every answer parses in its models."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.serve.client_venvs import AGENT_PROTOCOL_CLIENT, venv_python
from tests.serve.conftest import StartServe
from tests.support.model_script import RequestRecord, Step, autogpt_reply, message_text
from tests.support.model_server import ModelServer

DRIVER = Path(__file__).with_name("apc_driver.py")


def test_agent_protocol_client_drives_a_task_with_feedback_then_approval(
    model_server_factory: Callable[..., ModelServer], serve: StartServe, tmp_path: Path
) -> None:
    def after_feedback(record: RequestRecord) -> Step:
        said = json.dumps([message_text(m) for m in record.messages], ensure_ascii=False)
        assert "Human feedback: Call the file notes.txt instead" in said
        return autogpt_reply("write_to_file", {"filename": "notes.txt", "text": "a note"})

    model = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "draft.txt", "text": "a note"}),
        after_feedback,
        autogpt_reply("task_complete", {"reason": "the note is written"}),
    )
    server = serve(model)
    upload = tmp_path / "brief.txt"
    upload.write_text("what to note", encoding="utf-8")
    run = subprocess.run(
        [str(venv_python(AGENT_PROTOCOL_CLIENT)), str(DRIVER), server.origin, str(upload)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:] + server.log()[-2000:]
    seen = json.loads(run.stdout)
    first, feedback, approved, last = seen["steps"]
    assert first["additional_output"]["command"]["args"]["filename"] == "draft.txt"
    assert "result" not in feedback["additional_output"]  # feedback runs no command
    assert feedback["additional_output"]["command"]["args"]["filename"] == "notes.txt"
    assert approved["additional_output"]["result"]["ok"] is True
    assert [a["file_name"] for a in approved["artifacts"]] == ["notes.txt"]
    assert last["is_last"] is True and last["output"] == "Finished: the note is written"
    assert seen["contents"] == {"brief.txt": "what to note", "notes.txt": "a note"}
    uploaded = {a["file_name"]: a["agent_created"] for a in seen["artifacts"]["artifacts"]}
    assert uploaded == {"brief.txt": False, "notes.txt": True}
    assert seen["listed_steps"]["pagination"]["total_items"] == 4
    assert seen["step_again"]["step_id"] == feedback["step_id"]
    assert seen["tasks"]["tasks"][0]["task_id"] == seen["task"]["task_id"]
    assert not (server.workspace_root / seen["task"]["task_id"] / "draft.txt").exists()
