"""As root, the local sandbox runs the program as an unprivileged uid, so its limits hold.

The kernel does not count root's processes against RLIMIT_NPROC (300 ran under a limit of 128,
even with a user namespace mapping them to another uid inside). So when the agent runs as root,
bubblewrap is started as an unprivileged uid: the workspace's owner, or, when root owns the
workspace, ``nobody``. For ``nobody`` to write a root-owned workspace, :data:`HELPER` (run as
root by the system ``python3``, in a mount namespace of its own) mounts the workspace
*id-mapped* at ``/tmp/workspace`` (on a tmpfs of that namespace only): ``nobody`` sees it as its
own, and what it writes is owned by root on disk. The helper then drops to ``nobody`` and execs
bubblewrap, which binds that mount instead of the workspace.
"""

from __future__ import annotations

from pathlib import Path

NOBODY = 65534
MAPPED = "/tmp/workspace"
"""Where the helper mounts the id-mapped workspace, in its own mount namespace."""

HELPER = r"""
import ctypes, os, struct, sys, time

uid, gid, workspace, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
MAPPED = "/tmp/workspace"
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def ok(result, what):
    if result < 0:
        err = ctypes.get_errno()
        sys.exit(f"sandbox: {what} failed: {os.strerror(err)}")
    return result

# A user namespace that only carries the id map (uid 0 on disk <-> uid inside the sandbox).
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
os.mkdir(MAPPED)
ok(libc.syscall(429, tree, b"", -100, MAPPED.encode(), 4), "move_mount")
os.setgroups([])
os.setgid(gid)
os.setuid(uid)
os.execvp(argv[0], argv)
"""
"""Syscall numbers are the same on every architecture (open_tree 428, move_mount 429,
mount_setattr 442); an id-mapped mount needs Linux 5.12 and a file system that supports it
(ext4, xfs, btrfs, tmpfs since 6.3, overlayfs since 5.19)."""


def as_nobody(python: str, workspace: Path, argv: list[str]) -> list[str]:
    """``argv`` (a bubblewrap command line) run as ``nobody`` on an id-mapped ``workspace``."""
    source = str(workspace)
    bwrap = [MAPPED if arg == source else arg for arg in argv]
    return [python, "-I", "-S", "-c", HELPER, str(NOBODY), str(NOBODY), source, *bwrap]
