"""Seconds per execute_python_file of a trivial script, per backend (prints figures; not a test).

For each backend (docker, local): the first call (which also probes the backend and connects to
the engine), then 20 calls in a row (container start and removal included for Docker), against
the targets: local <= 0.1 s, docker <= 1.5 s per run. Also the system ``python3 -c pass`` on the
host, the floor for any run.

    .venv/bin/python bench/exec.py [--runs 20] [--image autogpt-python:local]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt.commands import code
from autogpt.commands.context import CommandContext
from autogpt.config.settings import Settings
from autogpt.sandbox.local import system_python
from autogpt.sandbox.select import executor
from autogpt.workspace import Workspace

TARGETS = {"local": 0.1, "docker": 1.5}


def bench(backend: Literal["docker", "local"], image: str, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="autogpt-bench-") as tmp:
        workspace = Workspace(Path(tmp) / "ws")
        workspace.ensure()
        settings = Settings(_env_file=None, execution_backend=backend, python_docker_image=image)
        ctx = CommandContext(workspace=workspace, settings=settings)
        workspace.write_text("trivial.py", "print('ok')\n")
        try:
            started = time.perf_counter()
            first = code.execute_python_file(ctx, "trivial.py")
            cold = time.perf_counter() - started
            if "exit status 0" not in first:
                print(f"{backend:7s} could not run: {first.splitlines()[0]}")
                return
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                code.execute_python_file(ctx, "trivial.py")
                times.append(time.perf_counter() - started)
            choice = executor(ctx).choice()
        finally:
            ctx.resources.close_all()
    mean = statistics.mean(times)
    verdict = "ok" if mean <= TARGETS[backend] else "OVER TARGET"
    print(
        f"{backend:7s} first call {cold:6.3f} s | {runs} in a row: total {sum(times):6.2f} s, "
        f"mean {mean:6.3f} s, median {statistics.median(times):6.3f} s, "
        f"max {max(times):6.3f} s | target <= {TARGETS[backend]} s: {verdict}"
    )
    print(f"        ({choice.reason})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--image", default="autogpt-python:local")
    parser.add_argument("--backend", choices=["docker", "local"], action="append")
    options = parser.parse_args()
    python = system_python() or sys.executable
    floor = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True)
        floor.append(time.perf_counter() - started)
    print(f"floor   {python} -c pass on the host: {statistics.median(floor):.3f} s")
    for backend in options.backend or ["local", "docker"]:
        bench(backend, options.image, options.runs)


if __name__ == "__main__":
    main()
