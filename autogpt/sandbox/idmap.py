"""As root, the local sandbox runs the program as an unprivileged uid, so its limits hold.

The kernel does not count root's processes against RLIMIT_NPROC (300 ran under a limit of 128,
even with a user namespace mapping them to another uid inside). So when the agent runs as root,
bubblewrap is started as an unprivileged uid: the workspace's owner, or, when root owns the
workspace, ``nobody``. For ``nobody`` to write a root-owned workspace, a holder process (the
system ``python3`` running :data:`HOLDER` as root, once per run) makes a mount namespace of its
own with the workspace mounted *id-mapped* at ``/tmp/workspace`` (on a tmpfs of that namespace
only): ``nobody`` sees it as its own, and what it writes is owned by root on disk. Each run then
enters that namespace as ``nobody`` (``nsenter --setuid``) and execs bubblewrap, which binds the
mapped workspace instead of the real one.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

NOBODY = 65534
MAPPED = "/tmp/workspace"
"""Where the holder mounts the id-mapped workspace, in its own mount namespace."""

HOLDER = r"""
import ctypes, os, struct, sys, time

uid, gid, workspace, mapped = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def ok(result, what):
    if result < 0:
        sys.exit(f"{what} failed: {os.strerror(ctypes.get_errno())}")
    return result

# A user namespace that only carries the id map (uid 0 on disk <-> nobody in the sandbox).
ready, go = os.pipe()
child = os.fork()
if child == 0:
    os.close(go)
    ok(libc.unshare(0x10000000), "unshare(CLONE_NEWUSER)")
    os.read(ready, 1)
    os._exit(0)
os.close(ready)
own = os.readlink("/proc/self/ns/user")
while os.readlink(f"/proc/{child}/ns/user") == own:
    time.sleep(0.001)
for name, value in (("uid_map", uid), ("gid_map", gid)):
    with open(f"/proc/{child}/{name}", "w") as out:
        out.write(f"0 {value} 1\n")
userns = os.open(f"/proc/{child}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
os.close(go)
os.waitpid(child, 0)

ok(libc.unshare(0x00020000), "unshare(CLONE_NEWNS)")
ok(libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None), "making mounts private")
tree = ok(libc.syscall(428, -100, workspace.encode(), 1 | 0o2000000), "open_tree")
attr = struct.pack("QQQQ", 0x00100000, 0, 0, userns)
ok(libc.syscall(442, tree, b"", 0x1000, attr, len(attr)), "an id-mapped mount")
# Where nobody can reach it (the workspace's own parents may be closed to other users).
ok(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0x2 | 0x4 | 0x8, b"size=64k,mode=0755"), "tmpfs")
os.mkdir(mapped)
ok(libc.syscall(429, tree, b"", -100, mapped.encode(), 4), "move_mount")
print("ready", flush=True)
sys.stdin.read()  # until the agent closes the pipe, or its process ends
"""
"""Syscall numbers are the same on every architecture (open_tree 428, move_mount 429,
mount_setattr 442); an id-mapped mount needs Linux 5.12 and a file system that supports it
(ext4, xfs, btrfs, tmpfs since 6.3, overlayfs since 5.19)."""


class IdMappedWorkspace:
    """The holder of one workspace's id-mapped mount, for the run; :meth:`wrap` runs through it."""

    def __init__(self, python: str, workspace: Path) -> None:
        self.python = python
        self.workspace = workspace
        self._holder: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def wrap(self, bwrap: list[str]) -> list[str]:
        """``bwrap`` (binding the workspace) run as ``nobody`` on the id-mapped workspace."""
        pid = self._start()
        source = str(self.workspace)
        mapped = [MAPPED if arg == source else arg for arg in bwrap]
        nsenter = shutil.which("nsenter", path="/usr/bin:/bin:/usr/sbin:/sbin") or "nsenter"
        ids = ["--setuid", str(NOBODY), "--setgid", str(NOBODY)]
        return [nsenter, f"--mount=/proc/{pid}/ns/mnt", *ids, "--", *mapped]

    def _start(self) -> int:
        with self._lock:
            if self._holder is not None and self._holder.poll() is None:
                return self._holder.pid
            argv = [self.python, "-I", "-S", "-c", HOLDER, str(NOBODY), str(NOBODY)]
            holder = subprocess.Popen(  # our own script, no shell
                [*argv, str(self.workspace), MAPPED],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd="/",
                env={"PATH": "/usr/bin:/bin"},
            )
            assert holder.stdout is not None and holder.stderr is not None
            if holder.stdout.readline().strip() != "ready":
                holder.wait()
                why = holder.stderr.read().strip().splitlines() or [f"exit {holder.returncode}"]
                self._close(holder)
                raise OSError(why[-1])
            self._holder = holder
            return holder.pid

    def close(self) -> None:
        with self._lock:
            if self._holder is not None:
                self._close(self._holder)
                self._holder = None

    @staticmethod
    def _close(holder: subprocess.Popen[str]) -> None:
        for pipe in (holder.stdin, holder.stdout, holder.stderr):
            if pipe is not None:
                pipe.close()
        try:
            holder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()
