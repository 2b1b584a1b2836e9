"""Bad requests get a 4xx with a JSON error, never a 500 or a traceback; access needs the
token when one is set, and another address than 127.0.0.1 needs one to start at all."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import agent_env
from tests.serve.conftest import StartServe
from tests.serve.multipart import multipart
from tests.serve.server_process import Answer, ServeProcess
from tests.support.model_server import ModelServer

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def _refused(answer: Answer, status: int, words: str) -> None:
    assert answer.status == status, answer
    assert isinstance(answer.body, dict), answer
    assert words in answer.body["error"], answer.body
    assert "Traceback" not in answer.body["error"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One server for the module's requests (none of them reaches the model)."""
    with ModelServer() as model:
        process = ServeProcess(
            model, tmp_path_factory.mktemp("serve"), flags=("--max-upload-mb", "0.01")
        ).start()
        yield process
        process.stop()
        model.assert_complete()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/agent/tasks/{UNKNOWN}"),
        ("POST", f"/agent/tasks/{UNKNOWN}/steps"),
        ("GET", f"/agent/tasks/{UNKNOWN}/steps"),
        ("GET", f"/agent/tasks/{UNKNOWN}/artifacts"),
        ("GET", f"/agent/tasks/{UNKNOWN}/artifacts/{UNKNOWN}"),
    ],
)
def test_an_unknown_task_is_a_404_with_a_json_error(
    server: ServeProcess, method: str, path: str
) -> None:
    _refused(server.request(method, path), 404, "No task")


def test_unknown_step_and_artifact_of_a_known_task_are_404(server: ServeProcess) -> None:
    task = server.create("Write a poem")
    _refused(server.request("GET", f"/agent/tasks/{task}/steps/{UNKNOWN}"), 404, "no step")
    _refused(server.request("GET", f"/agent/tasks/{task}/artifacts/{UNKNOWN}"), 404, "artifact")


@pytest.mark.parametrize("path", ["/agent/tasks", f"/agent/tasks/{UNKNOWN}/steps"])
def test_malformed_json_is_a_400(server: ServeProcess, path: str) -> None:
    if "steps" in path:
        path = path.replace(UNKNOWN, server.create("Write a poem"))
    raw = b'{"input": "unterminated'
    answer = server.request("POST", path, raw=raw, headers={"Content-Type": "application/json"})
    _refused(answer, 400, "not valid JSON")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"input": "x", "additional_input": {"goal": ["typo"]}}, "additional_input.goal"),
        ({"input": "x", "additional_input": {"goals": ["a", "b", "c", "d", "e", "f"]}}, "goals"),
        ({"input": "x", "additional_input": {"continuous_limit": 0}}, "continuous_limit"),
        ({"input": "x", "additional_input": {"budget": -1}}, "budget"),
        ({"input": "   "}, "needs an input"),
        ([1, 2], "JSON object"),
    ],
)
def test_a_task_body_that_does_not_fit_is_a_422_naming_the_field(
    server: ServeProcess, body: object, words: str
) -> None:
    _refused(server.request("POST", "/agent/tasks", body), 422, words)


def test_a_bad_page_number_is_a_422(server: ServeProcess) -> None:
    _refused(server.request("GET", "/agent/tasks?current_page=0"), 422, "current_page")


def test_an_upload_over_the_cap_is_a_413_and_leaves_no_file(server: ServeProcess) -> None:
    task = server.create("Read the upload")
    body, headers = multipart("big.bin", b"x" * 20_000)
    answer = server.request("POST", f"/agent/tasks/{task}/artifacts", raw=body, headers=headers)
    _refused(answer, 413, "over the cap")
    assert list((server.workspace_root / task).iterdir()) == []


@pytest.mark.parametrize("folder", ["../..", "/etc", "~"])
def test_an_upload_to_a_path_outside_the_workspace_is_a_400(
    server: ServeProcess, folder: str
) -> None:
    task = server.create("Read the upload")
    body, headers = multipart("escape.txt", b"out", relative_path=folder)
    answer = server.request("POST", f"/agent/tasks/{task}/artifacts", raw=body, headers=headers)
    _refused(answer, 400, "Path refused")
    assert not list(server.folder.rglob("escape.txt"))
    assert not Path("/etc/escape.txt").exists()


def test_an_upload_that_is_not_multipart_is_a_400(server: ServeProcess) -> None:
    task = server.create("Read the upload")
    _refused(
        server.request("POST", f"/agent/tasks/{task}/artifacts", {"file": "x"}), 400, "multipart"
    )


def test_with_a_token_set_a_request_without_it_is_a_401(
    model_server: ModelServer, serve: StartServe
) -> None:
    server = serve(model_server, extra_env={"AGENT_PROTOCOL_TOKEN": "s3cret-token"})
    _refused(server.request("GET", "/agent/tasks"), 401, "Bearer")
    wrong = {"Authorization": "Bearer guess"}
    _refused(server.request("GET", "/agent/tasks", headers=wrong), 401, "Bearer")
    right = {"Authorization": "Bearer s3cret-token"}
    assert server.request("GET", "/agent/tasks", headers=right).status == 200


def test_another_address_without_a_token_refuses_to_start(
    model_server_factory: Callable[..., ModelServer],
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "autogpt", "serve", "--host", "0.0.0.0", "--port", "1"],
        env=agent_env(model_server_factory()),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "AGENT_PROTOCOL_TOKEN" in run.stderr
    assert "Traceback" not in run.stderr
