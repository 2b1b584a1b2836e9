"""Which process is on the other end of a TCP connection to a local server (Linux ``/proc``).

The guard proxy serves only the browser it was started for: the client socket of a connection
is looked up in the kernel's socket table (its owner's uid and its inode), and the inode among
the open files of the browser's process tree (the driver the agent started and everything below it).
A per-run secret cannot be used instead: headless Chromium cannot send proxy credentials, and
a proxy URL has no room for a token. Where ``/proc/net/tcp`` does not exist, nothing can be
checked and every local client is served, as before. Where a process of the tree hides its
open files from us (Chromium's sandbox, when not run as root), a socket of the same user is
taken as the browser's.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from pathlib import Path

PROC = Path("/proc")


def can_check() -> bool:
    return (PROC / "net" / "tcp").is_file()


def socket_of(client: tuple[str, int], server: tuple[str, int]) -> tuple[int, int] | None:
    """(uid, inode) of the client end of the IPv4 connection ``client`` -> ``server``: asked of
    the kernel over netlink (sock_diag, a few microseconds), else read from /proc/net/tcp
    (milliseconds: the kernel writes out every socket)."""
    try:
        return _sock_diag(client, server)
    except (OSError, struct.error, ValueError):
        pass
    wanted = (_hex(client), _hex(server))
    try:
        lines = (PROC / "net" / "tcp").read_text(encoding="ascii").splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 9 and (fields[1], fields[2]) == wanted and int(fields[9]):
            return int(fields[7]), int(fields[9])
    return None


def tree(root: int) -> list[int]:
    """``root`` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text(encoding="utf-8")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def holder(inode: int, pids: list[int]) -> tuple[int | None, bool]:
    """The pid among ``pids`` holding socket ``inode``; and whether some could not be read."""
    target = f"socket:[{inode}]"
    hidden = False
    for pid in pids:
        fds = PROC / str(pid) / "fd"
        try:
            names = os.listdir(fds)
        except PermissionError:
            hidden = True
            continue
        except OSError:
            continue
        for name in names:
            with contextlib.suppress(OSError):
                if os.readlink(fds / name) == target:
                    return pid, hidden
    return None, hidden


def _sock_diag(client: tuple[str, int], server: tuple[str, int]) -> tuple[int, int] | None:
    """One exact-match SOCK_DIAG_BY_FAMILY request (linux/inet_diag.h) for the client socket."""
    sock_diag_by_family, nlm_f_request, no_cookie = 20, 1, 0xFFFFFFFF
    sockid = struct.pack(
        "!HH16s16s",
        client[1],
        server[1],
        socket.inet_aton(client[0]).ljust(16, b"\0"),
        socket.inet_aton(server[0]).ljust(16, b"\0"),
    )
    sockid += struct.pack("=III", 0, no_cookie, no_cookie)  # any interface, no cookie
    request = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + sockid
    header = struct.pack("=IHHII", 16 + len(request), sock_diag_by_family, nlm_f_request, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4) as netlink:  # NETLINK_SOCK_DIAG
        netlink.settimeout(1)
        netlink.sendall(header + request)
        answer = netlink.recv(8192)
    if struct.unpack_from("=H", answer, 4)[0] != sock_diag_by_family:
        return None  # NLMSG_ERROR: no such socket (it closed already)
    uid, inode = struct.unpack_from("=II", answer, 16 + 4 + 48 + 12)  # inet_diag_msg
    return (uid, inode) if inode else None  # no inode: closed, in TIME_WAIT


def _hex(address: tuple[str, int]) -> str:
    """An IPv4 address as /proc/net/tcp writes it: the address in host byte order, in hex."""
    packed = socket.inet_aton(address[0])
    return f"{struct.unpack('=I', packed)[0]:08X}:{address[1]:04X}"
