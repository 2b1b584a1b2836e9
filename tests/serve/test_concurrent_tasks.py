"""Tasks run in parallel and share nothing: each has its own workspace, journal and history,
and one task waiting on the model does not hold another task's requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tests.serve.conftest import StartServe
from tests.serve.scripted_agent import last_result
from tests.support.model_script import RequestRecord, Step, autogpt_reply, message_text
from tests.support.model_server import ModelServer

NAMES = ["alpha", "bravo", "charlie", "delta"]


def _goal_name(record: RequestRecord) -> str:
    system = message_text(record.messages[0])
    (name,) = [n for n in NAMES if f"file {n}.txt" in system]
    return name


def _brain(record: RequestRecord) -> Step:
    """Each task writes its own file, then finishes; a request carrying another task's name
    (its goal, its file) would fail here."""
    name = _goal_name(record)
    shown = json.dumps(record.messages[1:])
    assert not [n for n in NAMES if n != name and n in shown], f"{name} saw another task"
    result = last_result(record)
    if result is None:
        return autogpt_reply("write_to_file", {"filename": f"{name}.txt", "text": name * 3})
    return autogpt_reply("task_complete", {"reason": f"{name} written"})


def test_four_concurrent_tasks_share_nothing(
    model_server_factory: Callable[..., ModelServer], serve: StartServe
) -> None:
    model = model_server_factory(_brain, loop=True)
    server = serve(model)
    tasks = {name: server.create(f"Write the file {name}.txt") for name in NAMES}

    def drive(name: str) -> list[dict[str, object]]:
        return [server.step(tasks[name]) for _ in range(3)]

    with ThreadPoolExecutor(len(NAMES)) as pool:
        runs = dict(zip(NAMES, pool.map(drive, NAMES), strict=True))
    for name, task in tasks.items():
        assert runs[name][-1]["is_last"] is True
        workspace = server.workspace_root / task
        assert sorted(p.name for p in workspace.iterdir()) == [f"{name}.txt"]
        listed = server.request("GET", f"/agent/tasks/{task}/artifacts").body["artifacts"]
        assert [a["file_name"] for a in listed] == [f"{name}.txt"]
        (journal,) = (server.data_dir / task).rglob("journal.jsonl")
        others = [n for n in NAMES if n != name and n in journal.read_text(encoding="utf-8")]
        assert others == []
    assert len(model.requests) == 2 * len(NAMES)


def test_a_task_waiting_on_the_model_does_not_hold_another_tasks_steps(
    model_server_factory: Callable[..., ModelServer], serve: StartServe
) -> None:
    gate = threading.Event()

    def brain(record: RequestRecord) -> Step:
        if _goal_name(record) == "alpha":
            assert gate.wait(60), "never released"
        return _brain(record)

    model = model_server_factory(brain, loop=True)
    server = serve(model)
    slow = server.create("Write the file alpha.txt")
    fast = server.create("Write the file bravo.txt")
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(server.step, slow)
        steps = [server.step(fast) for _ in range(3)]  # while alpha's model call hangs
        listed = server.request("GET", "/agent/tasks").body
        assert not waiting.done()
        gate.set()
        assert waiting.result(timeout=60)["name"] == "write_to_file"
    assert steps[-1]["is_last"] is True
    assert listed["pagination"]["total_items"] == 2
