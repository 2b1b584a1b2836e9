"""Fixtures for the execution tests: a real Docker engine with a local image, real bubblewrap.

The image is ``PYTHON_DOCKER_IMAGE`` (read here at import, before the autouse ``env`` fixture
clears settings from the environment), default ``autogpt-python:local``, which
``.ci/setup-docker.sh`` builds without a registry. If the engine answers but the image is missing,
the ``docker_image`` fixture runs that script (``--image``) once, as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt.commands.context import CommandContext, RunResources
from autogpt.config.settings import Settings
from autogpt.workspace import Workspace
from tests.support.system import need

IMAGE = os.environ.get("PYTHON_DOCKER_IMAGE") or "autogpt-python:local"
SETUP_SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "setup-docker.sh"
TIMEOUT = 3.0
"""EXECUTE_TIMEOUT in these tests: short, but well above a container's start-up."""


def make_settings(**values: Any) -> Settings:
    values.setdefault("execute_timeout", TIMEOUT)
    values.setdefault("python_docker_image", IMAGE)
    return Settings(_env_file=None, **values)


def _engine_problem() -> str | None:
    """None if the engine answers and has (or now has) the image, else why not."""
    try:
        import docker
    except ImportError:
        return "the docker SDK is not installed (pip install 'docker>=7')"
    try:
        client = docker.from_env(timeout=5)
    except Exception as exc:
        return f"no Docker engine answers ({exc}); run .ci/setup-docker.sh as root"
    try:
        try:
            client.images.get(IMAGE)
            return None
        except docker.errors.ImageNotFound:
            pass
        if os.geteuid() != 0 or not SETUP_SCRIPT.exists():
            return f"image {IMAGE} missing; build it with .ci/setup-docker.sh (as root)"
        env = {**os.environ, "AUTOGPT_PYTHON_IMAGE": IMAGE}
        proc = subprocess.run(
            [str(SETUP_SCRIPT), "--image"], env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            return f"building {IMAGE} failed: {proc.stderr.strip()[-500:]}"
        return None
    finally:
        client.close()


@pytest.fixture(scope="session")
def docker_problem() -> str | None:
    return _engine_problem()


@pytest.fixture
def docker_ready(docker_problem: str | None) -> None:
    need(docker_problem is None, f"no Docker engine: {docker_problem}")


@pytest.fixture
def bwrap_ready() -> None:
    need(
        shutil.which("bwrap") is not None,
        "bubblewrap is not installed (apt-get install bubblewrap)",
    )


def path_without(tmp_path: Path, *names: str) -> str:
    """A PATH: one directory of links to every program on the current PATH except ``names``."""
    shadow = tmp_path / ("path-without-" + "-".join(names))
    shadow.mkdir(parents=True, exist_ok=True)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            link = shadow / entry.name
            if entry.name not in names and not link.exists() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    return str(shadow)


def hide_from_path(env: pytest.MonkeyPatch, tmp_path: Path, *names: str) -> None:
    """Make ``names`` uninstalled as far as PATH goes (every other program stays)."""
    env.setenv("PATH", path_without(tmp_path, *names))
    assert all(shutil.which(name) is None for name in names)


Factory = Callable[..., CommandContext]


@pytest.fixture
def make_ctx(tmp_path: Path) -> Iterator[Factory]:
    """``make_ctx(backend, **settings) -> CommandContext`` on ``tmp_path/ws``; notes collected in
    ``ctx.notes``; every context's resources (Docker clients) are closed at teardown."""
    made: list[CommandContext] = []

    def make(backend: str = "local", *, budget: int = 1500, **values: Any) -> CommandContext:
        workspace = Workspace(tmp_path / "ws")
        workspace.ensure()
        notes: list[str] = []
        ctx = CommandContext(
            workspace=workspace,
            settings=make_settings(execution_backend=backend, **values),
            result_budget_tokens=budget,
            notify=notes.append,
            resources=RunResources(),
        )
        ctx.notes = notes  # type: ignore[attr-defined]
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.resources.close_all()


def sandbox_labelled_containers() -> list[str]:
    import docker

    client = docker.from_env()
    try:
        found = client.containers.list(all=True, filters={"label": "autogpt.sandbox"})
        return [c.id for c in found if c.id is not None]
    finally:
        client.close()
