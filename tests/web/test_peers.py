"""Finding the process on the other end of a local TCP connection, with real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from autogpt.web import peers
from tests.support.system import need

CLIENT = (
    "import socket, sys; s = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); s.recv(1)"
)


def test_a_child_processs_connection_is_found_in_its_tree_and_nowhere_else() -> None:
    need(peers.can_check(), "no /proc/net/tcp")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with subprocess.Popen([sys.executable, "-c", CLIENT, str(port)]) as child:
            accepted, peer = server.accept()
            with accepted:
                found = peers.socket_of(peer, accepted.getsockname())
                assert found is not None and found[0] == os.getuid()
                assert peers.holder(found[1], peers.tree(child.pid))[0] == child.pid
                assert peers.holder(found[1], [os.getpid()])[0] is None
                accepted.sendall(b"x")
            child.wait(10)
    assert peers.socket_of(peer, ("127.0.0.1", port)) is None  # closed: nothing to find


def test_without_netlink_proc_net_tcp_gives_the_same_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need(peers.can_check(), "no /proc/net/tcp")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()) as client:
            accepted, peer = server.accept()
            with accepted:
                fast = peers.socket_of(peer, accepted.getsockname())

                def no_netlink(*args: object) -> None:
                    raise OSError("netlink is not allowed here")

                monkeypatch.setattr(peers, "_sock_diag", no_netlink)
                assert peers.socket_of(peer, accepted.getsockname()) == fast
                inode = os.readlink(f"/proc/self/fd/{client.fileno()}")
                assert fast is not None and inode == f"socket:[{fast[1]}]"
