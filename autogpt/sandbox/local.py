"""The local sandbox: the system ``python3`` (or an allowed command) under bubblewrap.

bubblewrap shows the program only the system directories (``/usr``, ``/lib*``, ``/bin``,
``/sbin``, read-only), ``/etc`` read-only with its secrets masked, a private ``/tmp`` and
``/dev/shm`` of 64 MB each, and the workspace read-write at ``/workspace``; everything else is
read-only. Every namespace is unshared (no network, no view of the host's processes) and no
further user namespace can be made inside. Resource limits are set with ``prlimit`` inside the
sandbox (address space per process, CPU time, file size, processes, no core files); the
environment is built from nothing.

Without a working bubblewrap there is no local sandbox: code runs only if the user opted in with
``ALLOW_UNSANDBOXED_EXECUTION=true`` (no home-made half sandbox: a bare ``unshare`` left the host's
files, secrets and Docker socket in view).

The program never runs as root (root's processes escape the process limit): when the agent runs
as root, it runs as the workspace's owner, so the user owns what it writes, or, for a root-owned
workspace, as ``nobody`` on an id-mapped workspace (``idmap.py``), so root owns what it writes.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from autogpt.sandbox import idmap
from autogpt.sandbox.base import (
    TMP_SIZE_MB,
    ExecRequest,
    ExecResult,
    Limits,
    SandboxUnavailable,
    run_process,
    sandbox_env,
)

log = logging.getLogger(__name__)

Kind = Literal["bubblewrap", "unsandboxed"]

MOUNT_POINT = "/workspace"
BWRAP_NAMESPACES = ("--unshare-all", "--unshare-user", "--disable-userns")

ETC_SECRETS = (
    "shadow",
    "shadow-",
    "gshadow",
    "gshadow-",
    "sudoers",
    "sudoers.d",
    "ssh",
    "ssl/private",
    "environment",
    "security/opasswd",
    "apt/auth.conf",
    "apt/auth.conf.d",
    "docker",
    "netrc",
    "krb5.keytab",
    "NetworkManager/system-connections",
    "wpa_supplicant",
    "ppp",
    "openvpn",
    "wireguard",
    "credstore",
    "credstore.encrypted",
    "machine-id",
    "subuid",
    "subgid",
)
"""Masked inside the sandbox even when world-readable (proxy credentials live in environment)."""

PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")


@dataclass(frozen=True)
class LocalProbe:
    kind: Kind | None
    """The best isolation that works here, or ``None`` (refuse)."""
    reason: str
    """Why this kind (what is missing), for the user."""
    as_nobody: bool = False
    """As root: run a root-owned workspace's programs as ``nobody`` (an id-mapped mount works)."""


def system_python() -> str | None:
    for candidate in PYTHON_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    if found:
        return found
    # No system python3 (a pyenv-only machine): the agent's own interpreter; its install prefix
    # is bound read-only into the sandbox (see LocalBackend._python_prefix).
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base) if base else None


def etc_masks(etc: Path = Path("/etc")) -> tuple[list[str], list[str]]:
    """(files, directories) of ``/etc`` to hide: known secrets, anything not world-readable."""
    files: list[str] = []
    dirs: list[str] = []
    for name in ETC_SECRETS:
        path = etc / name
        if path.is_symlink() or not path.exists():
            continue
        (dirs if path.is_dir() else files).append(str(path))
    hidden = {*files, *dirs}

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.path in hidden:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            if stat.S_ISDIR(st.st_mode):
                if not (st.st_mode & stat.S_IROTH and st.st_mode & stat.S_IXOTH):
                    dirs.append(entry.path)
                elif depth < 6:
                    walk(Path(entry.path), depth + 1)
            elif stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IROTH:
                files.append(entry.path)

    walk(etc, 0)
    return files, dirs


def prlimit_args(limits: Limits, *, nproc: bool = True) -> list[str]:
    prlimit = shutil.which("prlimit", path="/usr/bin:/bin:/usr/local/bin")
    if prlimit is None:
        return []
    cpu = int(limits.timeout) + 2
    args = [
        prlimit,
        f"--as={limits.memory_mb * 1024 * 1024}",
        f"--cpu={cpu}",
        f"--fsize={limits.file_size_mb * 1024 * 1024}",
        "--core=0",
    ]
    if nproc:
        args.append(f"--nproc={limits.pids}")
    return [*args, "--"]


class LocalBackend:
    """Runs programs under the best local isolation found by :func:`probe_local`."""

    def __init__(self, kind: Kind, *, python: str | None = None, as_nobody: bool = False) -> None:
        self.kind: Kind = kind
        self.name: str = kind
        self.python = python or system_python() or "python3"
        self.as_nobody = as_nobody
        self._mapped: dict[Path, idmap.IdMappedWorkspace] = {}
        self._base: list[str] | None = None
        self._lock = threading.Lock()

    # --- argv -------------------------------------------------------------------------------

    def _bwrap_base(self) -> list[str]:
        with self._lock:
            if self._base is None:
                self._base = self._build_bwrap_base()
            return self._base

    def _build_bwrap_base(self) -> list[str]:
        bwrap = shutil.which("bwrap") or "bwrap"
        args = [bwrap, *BWRAP_NAMESPACES, "--die-with-parent", "--new-session"]
        args += ["--cap-drop", "ALL", "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
        for entry in sorted(os.listdir("/")):
            if entry in ("bin", "sbin") or entry.startswith("lib"):
                path = Path("/", entry)
                if path.is_symlink():
                    args += ["--symlink", os.readlink(path), str(path)]
                elif path.is_dir():
                    args += ["--ro-bind", str(path), str(path)]
        args += ["--ro-bind", "/etc", "/etc"]
        files, dirs = etc_masks()
        for folder in dirs:
            args += ["--tmpfs", folder, "--remount-ro", folder]
        for file in files:
            args += ["--ro-bind", "/dev/null", file]
        prefix = self._python_prefix()
        if prefix:
            args += ["--ro-bind", prefix, prefix]
        size = str(TMP_SIZE_MB * 1024 * 1024)
        args += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm"]
        args += ["--remount-ro", "/dev", "--size", size, "--tmpfs", "/tmp"]
        return [*args, "--symlink", "/tmp", "/var/tmp"]

    def _id_mapped(self, workspace: Path) -> idmap.IdMappedWorkspace:
        with self._lock:
            if workspace not in self._mapped:
                self._mapped[workspace] = idmap.IdMappedWorkspace(self.python, workspace)
            return self._mapped[workspace]

    def _python_prefix(self) -> str | None:
        """The install prefix of a python3 outside the bound system directories, if any."""
        real = os.path.realpath(self.python)
        bound = ("/usr/", "/bin/", "/sbin/", "/lib")
        if real.startswith(bound):
            return None
        return str(Path(real).parent.parent)

    def argv(self, request: ExecRequest) -> tuple[list[str], Path | None]:
        """The full argv and the host working directory for ``request``."""
        program = list(request.argv)
        if program and program[0] == "python3":
            program[0] = self.python
        if self.kind == "bubblewrap":
            limits = prlimit_args(request.limits)
            bind = ["--bind", str(request.workspace), MOUNT_POINT, "--chdir", MOUNT_POINT]
            # The root stays read-only (after the workspace's mount point is made in it).
            bwrap = [*self._bwrap_base(), *bind, "--remount-ro", "/"]
            if self.as_nobody and _run_as(request.workspace) == (None, None):
                bwrap = self._id_mapped(request.workspace).wrap(bwrap)
            return [*bwrap, *limits, *program], Path("/")
        # Unsandboxed (opted in): the process limit would count all the user's processes.
        return [*prlimit_args(request.limits, nproc=False), *program], request.workspace

    # --- running ----------------------------------------------------------------------------

    def run(self, request: ExecRequest) -> ExecResult:
        user, group = _run_as(request.workspace)
        home = "/tmp" if self.kind == "bubblewrap" else str(request.workspace)
        try:
            argv, cwd = self.argv(request)
            outcome = run_process(
                argv,
                env=sandbox_env(home),
                cwd=cwd,
                timeout=request.limits.timeout,
                user=user,
                group=group,
            )
        except OSError as exc:
            raise SandboxUnavailable(
                f"the local sandbox ({self.kind}) could not start: {exc}"
            ) from None
        code = outcome.returncode
        if code is not None and code < 0:
            code = 128 - code  # killed by a signal: report it as a shell would
        return ExecResult(
            backend=self.kind,
            exit_code=code,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            duration=outcome.duration,
            timed_out=outcome.timed_out,
            memory_limit_mb=request.limits.memory_mb,
            timeout=request.limits.timeout,
        )

    def close(self) -> None:
        with self._lock:
            mapped, self._mapped = list(self._mapped.values()), {}
        for holder in mapped:
            holder.close()


def _run_as(workspace: Path) -> tuple[int | None, int | None]:
    """As root, run as the workspace's owner (so they own what is written); else as ourselves."""
    if os.geteuid() != 0:
        return None, None
    try:
        st = workspace.stat()
    except OSError:
        return None, None
    if st.st_uid == 0:
        return None, None
    return st.st_uid, st.st_gid


def _try(
    argv: list[str], *, user: int | None = None, group: int | None = None, cwd: str | None = None
) -> str | None:
    """``None`` if ``argv`` runs (as ``user`` if given) and exits 0, else the reason it did not."""
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=10,
            env=sandbox_env(),
            check=False,
            cwd=cwd,
            user=user,
            group=group if user is not None else None,
            extra_groups=[] if user is not None else None,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    return None


def probe_local(*, allow_unsandboxed: bool, workspace: Path | None = None) -> LocalProbe:
    """Find the best local isolation that actually works on this machine (a few milliseconds)."""
    problems: list[str] = []
    user, group = _run_as(workspace) if workspace is not None else (None, None)
    if shutil.which("bwrap"):
        bwrap = ["bwrap", *BWRAP_NAMESPACES, "--die-with-parent", "--ro-bind", "/", "/", "true"]
        why = _try(bwrap, user=user, group=group)
        if why is None and os.geteuid() == 0 and user is None:
            return _probe_as_nobody(bwrap, workspace)
        if why is None:
            return LocalProbe("bubblewrap", "bubblewrap works")
        problems.append(f"bubblewrap does not work here ({why})")
    else:
        problems.append("bubblewrap is not installed")
    if allow_unsandboxed:
        return LocalProbe("unsandboxed", "; ".join(problems))
    return LocalProbe(None, "; ".join(problems))


def _probe_as_nobody(bwrap: list[str], workspace: Path | None) -> LocalProbe:
    """As root: can a root-owned workspace be id-mapped for ``nobody``? Else say what is lost."""
    python = system_python() or "python3"
    with tempfile.TemporaryDirectory(prefix="autogpt-idmap-") as scratch:
        target = workspace if workspace is not None and workspace.is_dir() else Path(scratch)
        mapped = idmap.IdMappedWorkspace(python, target)
        try:
            why = _try(mapped.wrap(bwrap), cwd="/")
        except OSError as exc:
            why = str(exc)
        finally:
            mapped.close()
    if why is None:
        return LocalProbe("bubblewrap", "bubblewrap works", as_nobody=True)
    log.warning("the sandbox cannot drop root here: %s", why)
    return LocalProbe(
        "bubblewrap",
        f"bubblewrap works, but as root (an id-mapped workspace failed: {why}), so "
        "EXECUTE_PIDS_LIMIT does not hold",
    )
