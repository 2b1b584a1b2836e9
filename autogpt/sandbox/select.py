"""Which backend runs code this run, and one line saying why.

``EXECUTION_BACKEND=auto`` uses Docker if the engine answers within 2 s and has the image, else
the local sandbox. Nothing is probed at import or construction: the first :meth:`Executor.choice`
(the first code execution, or the start-up screen calling it from a background thread) probes, and
the answer is kept for the run. :meth:`Executor.peek` reads it without waiting.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from autogpt.sandbox.base import Backend, SandboxUnavailable
from autogpt.sandbox.local import Kind, LocalBackend, LocalProbe, probe_local

if TYPE_CHECKING:
    from autogpt.config.settings import Settings
    from autogpt.resources import RunResources
    from autogpt.workspace import Workspace

log = logging.getLogger(__name__)

RESOURCE_KEY = "sandbox"
INSTALL_HINT = (
    "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) or Docker, or set "
    "ALLOW_UNSANDBOXED_EXECUTION=true to run code without isolation."
)

LOCAL_WORDS: dict[Kind, str] = {
    "bubblewrap": "in the local sandbox (bubblewrap)",
    "unsandboxed": "UNSANDBOXED on this machine (ALLOW_UNSANDBOXED_EXECUTION=true)",
}


@dataclass(frozen=True)
class BackendChoice:
    """The backend of this run. ``reason`` is the one line for the start-up screen."""

    name: Literal["docker", "local", "off"]
    reason: str
    local_kind: Kind | None = None
    """For ``local``: bubblewrap, or unsandboxed (opted in)."""

    @property
    def available(self) -> bool:
        return self.name != "off"

    def __str__(self) -> str:
        return self.reason


class Executor:
    """Chooses once, lazily, and holds the chosen backend (and its Docker client) for the run."""

    def __init__(self, settings: Settings, workspace: Path | None = None) -> None:
        self.settings = settings
        self.workspace = workspace
        self._lock = threading.Lock()
        self._choice: BackendChoice | None = None
        self._backend: Backend | None = None
        self._local: LocalBackend | None = None
        self._local_probe: LocalProbe | None = None
        self._closed = False

    # --- the choice ---------------------------------------------------------------------------

    def peek(self) -> BackendChoice | None:
        """The choice if already made; never waits, never probes."""
        return self._choice

    def choice(self) -> BackendChoice:
        """Probe (at most ~2 s for Docker, a few ms for bubblewrap) once, then the cached answer."""
        with self._lock:
            if self._choice is None:
                self._choice = self._choose()
                log.info("code execution: %s", self._choice.reason)
            return self._choice

    def backend(self) -> Backend:
        """The backend to run code with, or :class:`SandboxUnavailable` saying why there is none."""
        choice = self.choice()
        if self._backend is None:
            raise SandboxUnavailable(choice.reason)
        return self._backend

    def _local_backend(self) -> LocalBackend:
        if self._local is None:
            probe = self._probe_local()
            if probe.kind is None:
                raise SandboxUnavailable(
                    f"No sandbox is available to run code ({probe.reason}). {INSTALL_HINT}"
                )
            self._local = LocalBackend(probe.kind, as_nobody=probe.as_nobody)
        return self._local

    def _probe_local(self) -> LocalProbe:
        if self._local_probe is None:
            self._local_probe = probe_local(
                allow_unsandboxed=self.settings.allow_unsandboxed_execution,
                workspace=self.workspace,
            )
        return self._local_probe

    def _choose(self) -> BackendChoice:
        mode = self.settings.execution_backend
        if mode == "off":
            return BackendChoice("off", "Code execution is off (EXECUTION_BACKEND=off).")
        if mode == "local":
            return self._choose_local("EXECUTION_BACKEND=local")
        from autogpt.sandbox import docker as docker_backend

        image = self.settings.python_docker_image
        client, why = docker_backend.probe()
        if mode == "docker":
            if client is None:
                return BackendChoice(
                    "off",
                    f"Docker not reachable ({why}): Python code cannot run. Start Docker, or set "
                    "EXECUTION_BACKEND=auto or local to use the local sandbox.",
                )
            self._backend = docker_backend.DockerBackend(client, image)
            return BackendChoice("docker", self._docker_words(image))
        if client is not None:
            try:
                present = docker_backend.image_present(client, image)
            except Exception as exc:
                present, why = False, f"the engine failed to list images: {exc}"
            if present:
                self._backend = docker_backend.DockerBackend(client, image)
                return BackendChoice("docker", self._docker_words(image))
            client.close()
            return self._choose_local(
                f"Docker image {image} not found (pull it, or set PYTHON_DOCKER_IMAGE)"
            )
        return self._choose_local(f"Docker not reachable ({why})")

    def _docker_words(self, image: str) -> str:
        s = self.settings
        return (
            f"Python runs in Docker ({image}): no network, {s.execute_memory_limit_mb} MB, "
            f"{s.execute_cpu_limit:g} CPU, timeout {s.execute_timeout:g} s."
        )

    def _choose_local(self, why: str) -> BackendChoice:
        try:
            local = self._local_backend()
        except SandboxUnavailable:
            probe = self._probe_local()
            return BackendChoice(
                "off",
                f"{why}, and no local sandbox ({probe.reason}): code cannot run. {INSTALL_HINT}",
            )
        self._backend = local
        words = LOCAL_WORDS[local.kind]
        if local.kind == "bubblewrap":
            s = self.settings
            words += (
                f" — weaker isolation than Docker (memory {s.execute_memory_limit_mb} MB per "
                f"process, {s.execute_pids_limit} processes, timeout {s.execute_timeout:g} s)"
            )
            if self._probe_local().reason != "bubblewrap works":
                words += f"; {self._probe_local().reason}"
        return BackendChoice("local", f"{why}: Python runs {words}.", local.kind)

    # --- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
            self._closed = True


def executor_for(
    resources: RunResources, settings: Settings, workspace: Path | None = None
) -> Executor:
    """The run's one :class:`Executor`, created on first use and closed with the run's resources."""
    return resources.get_or_create(
        RESOURCE_KEY, lambda: Executor(settings, workspace), Executor.close
    )


class SandboxContext(Protocol):
    """What choosing the backend needs of the run (a command's context has it)."""

    @property
    def resources(self) -> RunResources: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def workspace(self) -> Workspace: ...


def executor(ctx: SandboxContext) -> Executor:
    return executor_for(ctx.resources, ctx.settings, ctx.workspace.root)
