""" "Another host" for proxy tests: a network namespace joined to this one by a veth pair.

``OtherHost()`` (root and ``ip`` needed, else the test is skipped with the reason) creates a
namespace and a veth pair with unique names, and a /30 in 10.200.0.0/16 that no interface here
uses yet: ``host_address`` is this side's end, ``address`` the namespace's. Traffic goes only
between the two. ``prefix`` runs a command inside (``ip netns exec NAME``). ``close`` stops what
it started inside and deletes the namespace, which takes the veth pair with it. With
``resolver="127.0.0.1"`` names do not resolve inside (nothing answers there): a DNS failure
without a query leaving the namespace.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.support.system import need


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


class OtherHost:
    def __init__(self, *, resolver: str | None = None) -> None:
        """``resolver``: the name server of processes run with ``prefix`` (``ip netns exec``
        mounts ``/etc/netns/NAME/resolv.conf`` over ``/etc/resolv.conf`` for them)."""
        need(os.geteuid() == 0, "creating a network namespace needs root")
        need(shutil.which("ip") is not None, "iproute2 (ip) not installed")
        tag = uuid.uuid4().hex[:8]
        self.name = f"autogpt-{tag}"
        self._host_link, self._inner_link = f"agh{tag}", f"agn{tag}"
        self.host_address, self.address = self._free_pair()
        self._made = False
        self.resolver = resolver
        self._etc = Path("/etc/netns") / self.name

    @property
    def prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.name]

    def start(self) -> OtherHost:
        _ip("netns", "add", self.name)
        self._made = True
        try:
            if self.resolver:
                self._etc.mkdir(parents=True)
                (self._etc / "resolv.conf").write_text(
                    f"nameserver {self.resolver}\n", encoding="utf-8"
                )
            _ip("link", "add", self._host_link, "type", "veth", "peer", "name", self._inner_link)
            _ip("link", "set", self._inner_link, "netns", self.name)
            _ip("addr", "add", f"{self.host_address}/30", "dev", self._host_link)
            _ip("link", "set", self._host_link, "up")
            inside = ["-n", self.name]
            _ip(*inside, "addr", "add", f"{self.address}/30", "dev", self._inner_link)
            _ip(*inside, "link", "set", self._inner_link, "up")
            _ip(*inside, "link", "set", "lo", "up")
        except subprocess.CalledProcessError:
            self.close()
            raise
        return self

    def close(self) -> None:
        if not self._made:
            return
        self._made = False
        pids = subprocess.run(
            ["ip", "netns", "pids", self.name], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in pids:  # only processes inside this test's own namespace
            subprocess.run(["kill", pid], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], check=False, capture_output=True)
        subprocess.run(["ip", "link", "del", self._host_link], check=False, capture_output=True)
        shutil.rmtree(self._etc, ignore_errors=True)

    def __enter__(self) -> OtherHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _free_pair() -> tuple[str, str]:
        used = subprocess.run(
            ["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=False
        ).stdout
        for _ in range(100):
            third, block = random.randrange(256), random.randrange(0, 256, 4)
            host, inner = f"10.200.{third}.{block + 1}", f"10.200.{third}.{block + 2}"
            if f" {host}/" not in used and f" {inner}/" not in used:
                return host, inner
        raise RuntimeError("no free /30 in 10.200.0.0/16")
