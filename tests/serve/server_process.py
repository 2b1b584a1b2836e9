"""``python -m autogpt serve`` as a real process on 127.0.0.1, backed by the scripted model
server, and a small JSON client over urllib for the requests the tests make themselves."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.harness import agent_env
from tests.support.model_server import ModelServer

START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class ServeProcess:
    def __init__(
        self,
        model: ModelServer,
        folder: Path,
        *,
        port: int | None = None,
        extra_env: dict[str, str] | None = None,
        flags: tuple[str, ...] = (),
    ) -> None:
        self.model = model
        self.folder = folder
        self.port = port or free_port()
        self.workspace_root = folder / "workspaces"
        self.data_dir = folder / "data"
        self._env = agent_env(model, **(extra_env or {}))
        self._flags = flags
        self.proc: subprocess.Popen[str] | None = None

    @property
    def base(self) -> str:
        """What agbenchmark 0.0.10 is configured with: its client leaves /ap/v1 out."""
        return f"http://127.0.0.1:{self.port}/ap/v1"

    @property
    def origin(self) -> str:
        """What agent-protocol-client 1.1.0 is configured with: its paths have /ap/v1."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = open(self.folder / "serve.log", "a", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autogpt", "serve", "--port", str(self.port),
             "--workspace-root", str(self.workspace_root), "--data-dir", str(self.data_dir),
             *self._flags],
            cwd=self.folder, env=self._env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"serve did not listen within {START_SECONDS:g} s: {self.log()}")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("serve did not stop within 30 s of SIGTERM") from None

    def log(self) -> str:
        path = self.folder / "serve.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = {"Content-Type": "application/json"} if data is not None and raw is None else {}
        sent.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return _answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return _answer(exc.code, exc.read(), dict(exc.headers))

    def step(self, task_id: str, text: str | None = None) -> dict[str, Any]:
        answer = self.request(
            "POST", f"/agent/tasks/{task_id}/steps", None if text is None else {"input": text}
        )
        assert answer.status == 200, answer
        return dict(answer.body)

    def create(self, text: str, **additional: Any) -> str:
        body: dict[str, Any] = {"input": text}
        if additional:
            body["additional_input"] = additional
        answer = self.request("POST", "/agent/tasks", body)
        assert answer.status == 200, answer
        return str(answer.body["task_id"])


def _answer(status: int, raw: bytes, headers: dict[str, str]) -> Answer:
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("content-type", "").startswith("application/json"):
        return Answer(status, json.loads(raw), lowered)
    return Answer(status, raw, lowered)
