"""The Docker backend, through the ``docker`` SDK (imported only here, and only when used).

Each run is a fresh container of ``PYTHON_DOCKER_IMAGE``: networking off, memory (without swap),
CPU, process and file-size limits, read-only root with a private ``/tmp`` (and ``/dev/shm``) of
64 MB, all capabilities dropped, the uid:gid that owns the workspace, the workspace at
``/workspace`` as the working directory, an init process, and a wall-clock timeout after which
the container is killed. The container is always
removed, whatever happened.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Any

from autogpt.sandbox.base import (
    TMP_SIZE_MB,
    ExecRequest,
    ExecResult,
    SandboxUnavailable,
    Stream,
    sandbox_env,
)

if TYPE_CHECKING:
    from docker import DockerClient

log = logging.getLogger(__name__)

MOUNT_POINT = "/workspace"
LABEL = "autogpt.sandbox"
PROBE_TIMEOUT = 2.0
API_TIMEOUT = 30
LOG_MAX_SIZE = "20m"


def connect(timeout: float = PROBE_TIMEOUT) -> DockerClient:
    """A client for the engine named by the usual DOCKER_HOST / context, or an exception.

    Connecting asks the engine its API version, so a dead engine fails here, within ``timeout``.
    """
    import docker

    _check_unix_socket(timeout)
    client = docker.from_env(timeout=max(1, round(timeout)))
    try:
        client.ping()
    except BaseException:
        client.close()
        raise
    client.api.timeout = API_TIMEOUT
    return client


def _check_unix_socket(timeout: float) -> None:
    """Connect to the engine's Unix socket ourselves first: the SDK leaks its socket (a
    ResourceWarning) when that connection fails, so it only gets a socket that answers."""
    import socket

    from docker.constants import DEFAULT_UNIX_SOCKET
    from docker.utils import kwargs_from_env

    base = kwargs_from_env().get("base_url") or DEFAULT_UNIX_SOCKET
    for scheme in ("http+unix://", "unix://"):
        if base.startswith(scheme):
            path = base[len(scheme) :]
            break
    else:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)


def probe(timeout: float = PROBE_TIMEOUT) -> tuple[DockerClient | None, str]:
    """(a connected client, "") or (None, why the engine did not answer)."""
    try:
        return connect(timeout), ""
    except Exception as exc:  # DockerException, requests errors, bad DOCKER_HOST ...
        return None, _why_unreachable(exc)


def _why_unreachable(exc: Exception) -> str:
    text = str(exc)
    known = {
        "No such file or directory": "no engine socket",
        "Connection refused": "connection refused",
        "Permission denied": "permission denied on the engine socket (is the user in the "
        "docker group?)",
    }
    for marker, words in known.items():
        if marker in text:
            return words
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return "no answer within 2 s"
    return text.splitlines()[0][:160] if text else type(exc).__name__


def image_present(client: DockerClient, image: str) -> bool:
    import docker.errors

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def how_to_get(image: str) -> str:
    return (
        f"Get it with `docker pull {image}`, or set PYTHON_DOCKER_IMAGE to an image you have "
        "that contains python3 (`docker images` lists them; `.ci/setup-docker.sh` builds "
        "autogpt-python:local without network access to a registry)."
    )


class DockerBackend:
    name = "docker"

    def __init__(self, client: DockerClient, image: str) -> None:
        self.client = client
        self.image = image
        self._image_ready = False

    def ensure_image(self) -> None:
        """The image is present, or pulled now, or a message naming it and how to get it."""
        if self._image_ready:
            return
        if not image_present(self.client, self.image):
            log.info("pulling %s", self.image)
            try:
                self.client.images.pull(self.image)
            except Exception as exc:  # no registry access, unknown image, auth ...
                text = str(getattr(exc, "explanation", None) or exc) or type(exc).__name__
                first = text.splitlines()[0][:200]
                raise SandboxUnavailable(
                    f"The Docker image '{self.image}' is not on this machine and could not be "
                    f"pulled ({first}). {how_to_get(self.image)}"
                ) from None
            if not image_present(self.client, self.image):
                raise SandboxUnavailable(
                    f"The Docker image '{self.image}' could not be found after pulling. "
                    f"{how_to_get(self.image)}"
                )
        self._image_ready = True

    def run(self, request: ExecRequest) -> ExecResult:
        import docker.errors
        import requests
        from docker.types import LogConfig, Ulimit

        self.ensure_image()
        limits = request.limits
        fsize = limits.file_size_mb * 1024 * 1024
        st = os.stat(request.workspace)
        try:
            container = self.client.containers.create(
                self.image,
                command=list(request.argv),
                working_dir=MOUNT_POINT,
                volumes={str(request.workspace): {"bind": MOUNT_POINT, "mode": "rw"}},
                user=f"{st.st_uid}:{st.st_gid}",
                environment=sandbox_env("/tmp"),
                network_mode="none",
                mem_limit=f"{limits.memory_mb}m",
                memswap_limit=f"{limits.memory_mb}m",
                nano_cpus=int(limits.cpus * 1e9),
                pids_limit=limits.pids,
                init=True,
                read_only=True,
                tmpfs={"/tmp": f"rw,nosuid,nodev,size={TMP_SIZE_MB}m"},
                shm_size=f"{TMP_SIZE_MB}m",
                ulimits=[Ulimit(name="fsize", soft=fsize, hard=fsize)],
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                labels={LABEL: "1"},
                log_config=LogConfig(type="json-file", config={"max-size": LOG_MAX_SIZE}),
            )
        except docker.errors.ImageNotFound:
            self._image_ready = False
            raise SandboxUnavailable(
                f"The Docker image '{self.image}' disappeared. {how_to_get(self.image)}"
            ) from None
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxUnavailable(f"Docker could not create the container: {exc}") from None
        timed_out = False
        start = time.monotonic()
        try:
            container.start()
            try:
                status = container.wait(timeout=limits.timeout)
                exit_code: int | None = int(status.get("StatusCode", -1))
            except requests.exceptions.RequestException:  # read timeout: still running
                timed_out = True
                exit_code = None
                _quietly(container.kill)
            duration = time.monotonic() - start
            stdout = Stream.of(_logs(container, stdout=True))
            stderr = Stream.of(_logs(container, stdout=False))
            state = _state(container)
            oom = bool(state.get("OOMKilled")) and not timed_out
            if timed_out:
                exit_code = None
            return ExecResult(
                backend=self.name,
                exit_code=exit_code,
                stdout=stdout,
                stderr=stderr,
                duration=duration,
                timed_out=timed_out,
                oom_killed=oom,
                memory_limit_mb=limits.memory_mb,
                timeout=limits.timeout,
            )
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxUnavailable(f"Docker failed while running the code: {exc}") from None
        finally:
            _quietly(lambda: container.remove(force=True))

    def close(self) -> None:
        self.client.close()


def _logs(container: Any, *, stdout: bool) -> bytes:
    data = container.logs(stdout=stdout, stderr=not stdout)
    return data if isinstance(data, bytes) else b""


def _state(container: Any) -> dict[str, Any]:
    try:
        container.reload()
    except Exception:
        return {}
    return container.attrs.get("State", {}) or {}


def _quietly(action: Any) -> None:
    try:
        action()
    except Exception as exc:
        if "No such container" not in str(exc) and "is not running" not in str(exc):
            log.warning("docker cleanup step failed: %s", exc)
