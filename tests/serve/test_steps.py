"""A step is one cycle with the terminal's answers: ``n`` ends the task, the continuous limit
caps its cycles, and a task that ended takes no more steps."""

from __future__ import annotations

from tests.serve.conftest import StartServe
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer


def test_n_ends_the_task_without_running_the_proposal(
    model_server: ModelServer, serve: StartServe
) -> None:
    model_server.add(autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}))
    server = serve(model_server)
    task = server.create("Write a.txt")
    server.step(task)
    last = server.step(task, "n")
    assert last["is_last"] is True
    assert last["additional_output"]["status"] == "user_exit"
    assert not (server.workspace_root / task / "a.txt").exists()
    again = server.request("POST", f"/agent/tasks/{task}/steps")
    assert again.status == 409 and "has ended" in again.body["error"]


def test_the_continuous_limit_caps_the_cycles_of_a_task(
    model_server: ModelServer, serve: StartServe
) -> None:
    model_server.add(
        autogpt_reply("write_to_file", {"filename": "a.txt", "text": "1"}),
        autogpt_reply("write_to_file", {"filename": "b.txt", "text": "2"}),
    )
    server = serve(model_server)
    task = server.create("Write files", continuous_limit=2, ai_name="Limited")
    assert server.step(task)["output"].startswith("Limited THOUGHTS:")
    assert server.step(task)["is_last"] is False
    last = server.step(task)
    assert last["is_last"] is True
    assert last["additional_output"]["status"] == "limit"
    assert sorted(p.name for p in (server.workspace_root / task).iterdir()) == ["a.txt", "b.txt"]


def test_goals_from_additional_input_reach_the_model(
    model_server: ModelServer, serve: StartServe
) -> None:
    model_server.add(autogpt_reply("task_complete", {"reason": "done"}))
    server = serve(model_server)
    task = server.create(
        "ignored", goals=["写一篇关于冰淇淋的报告", "要求100字"], ai_role="市场规划"
    )
    server.step(task)
    system = str(model_server.requests[0].messages[0]["content"])
    assert "写一篇关于冰淇淋的报告" in system and "要求100字" in system and "市场规划" in system
    assert "ignored" not in system
    assert server.step(task)["additional_output"]["status"] == "finished"
