"""Fixtures of the server's tests: ``serve`` starts ``python -m autogpt serve`` processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve.server_process import ServeProcess
from tests.support.model_server import ModelServer

StartServe = Callable[..., ServeProcess]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[StartServe]:
    """``serve(model_server, **options) -> ServeProcess`` (started); all stopped at teardown."""
    started: list[ServeProcess] = []

    def start(model: ModelServer, **options: Any) -> ServeProcess:
        process = ServeProcess(model, tmp_path / "serve", **options).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
