"""Real proxies from Debian's packages, each started for one test: tinyproxy (HTTP), squid (HTTP
with basic auth: the 407 case) and microsocks (SOCKS5 with a user name and password).

Installed by ``.ci/setup-proxies.sh``; a missing binary skips the test with the reason (a failure
under ``AUTOGPT_REQUIRE_ALL_TESTS=1``). Each instance gets its own config file and log in a
directory of the test, listens on a free port, and is stopped (and waited for) by ``close``.
``prefix`` runs it through another command, e.g. ``["ip", "netns", "exec", NAME]``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from tests.support.system import need

START_TIMEOUT = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_P = TypeVar("_P", bound="_Process")


class _Process:
    """A proxy process listening on ``host:port``; a context manager."""

    name = "proxy"

    def __init__(self, folder: Path, *, host: str, prefix: Sequence[str]) -> None:
        need(
            shutil.which(self.name) is not None,
            f"{self.name} not installed (run .ci/setup-proxies.sh as root)",
        )
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.prefix = list(prefix)
        self.port = free_port() if not prefix else 3128  # a fresh namespace has every port free
        self.output = self.folder / f"{self.name}.out"
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self: _P) -> _P:
        with self.output.open("wb") as out:
            self._process = subprocess.Popen(
                self.prefix + self.command(), stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.output.read_text('utf-8')}")
            if self._listening():
                return self
            time.sleep(0.05)
        self.close()
        raise RuntimeError(f"{self.name} did not listen on {self.host}:{self.port}")

    def _listening(self) -> bool:
        if self.prefix:  # inside a namespace: ask the namespace's own tools
            probe = subprocess.run(
                self.prefix + ["ss", "-Hltn", f"sport = :{self.port}"],
                capture_output=True,
                text=True,
                check=False,
            )
            return str(self.port) in probe.stdout
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def close(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self: _P) -> _P:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class Tinyproxy(_Process):
    """tinyproxy with its log at ``log`` (LogLevel Info: one "Request" line per request)."""

    name = "tinyproxy"

    def __init__(
        self,
        folder: Path,
        *,
        host: str = "127.0.0.1",
        credentials: tuple[str, str] | None = None,
        prefix: Sequence[str] = (),
    ) -> None:
        super().__init__(folder, host=host, prefix=prefix)
        self.credentials = credentials
        self.log = self.folder / "tinyproxy.log"
        self.config = self.folder / "tinyproxy.conf"

    @property
    def url(self) -> str:
        """The proxy URL, with the user name and password when it has them."""
        auth = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        return f"http://{auth}{self.host}:{self.port}"

    def command(self) -> list[str]:
        lines = [
            f"Port {self.port}",
            f"Listen {self.host}",
            "Timeout 30",
            f'LogFile "{self.log}"',
            "LogLevel Info",
            "MaxClients 20",
            "DisableViaHeader Yes",
        ]
        if self.credentials:
            lines.append(f"BasicAuth {self.credentials[0]} {self.credentials[1]}")
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return ["tinyproxy", "-d", "-c", str(self.config)]

    def requests(self) -> list[str]:
        """The request lines tinyproxy logged ("POST http://host:port/v1/chat/completions")."""
        if not self.log.exists():
            return []
        found = []
        for line in self.log.read_text("utf-8", errors="replace").splitlines():
            if "]: Request (file descriptor" in line:
                found.append(line.split("): ", 1)[1].rsplit(" HTTP/", 1)[0])
        return found


class Microsocks(_Process):
    """microsocks, a SOCKS5 proxy; with ``bind``, its connections onward leave from that
    address, so a server can tell a request that came through it from one that did not."""

    name = "microsocks"

    def __init__(
        self,
        folder: Path,
        *,
        credentials: tuple[str, str],
        host: str = "127.0.0.1",
        bind: str | None = None,
    ) -> None:
        super().__init__(folder, host=host, prefix=())
        self.credentials = credentials
        self.bind = bind

    @property
    def url(self) -> str:
        user, password = self.credentials
        return f"socks5://{user}:{password}@{self.host}:{self.port}"

    def command(self) -> list[str]:
        user, password = self.credentials
        command = ["microsocks", "-i", self.host, "-p", str(self.port), "-u", user, "-P", password]
        return command + (["-b", self.bind] if self.bind else [])


class Squid(_Process):
    """squid with basic auth (``basic_ncsa_auth`` over an htpasswd file): a request without
    the right user name and password gets 407, as from a company proxy. squid drops to the
    ``proxy`` user, so its folder is one of its own under the system's temporary directory."""

    name = "squid"
    HELPER = "/usr/lib/squid/basic_ncsa_auth"

    def __init__(self, *, credentials: tuple[str, str]) -> None:
        need(Path(self.HELPER).exists(), "squid's basic_ncsa_auth missing (install squid)")
        need(shutil.which("openssl") is not None, "openssl not installed (hashes the password)")
        own = Path(tempfile.mkdtemp(prefix="autogpt-squid-"))
        super().__init__(own, host="127.0.0.1", prefix=())
        self.credentials = credentials
        self.log = own / "access.log"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.url_with(*self.credentials)

    def command(self) -> list[str]:
        user, password = self.credentials
        hashed = subprocess.run(
            ["openssl", "passwd", "-apr1", password], capture_output=True, text=True, check=True
        ).stdout.strip()
        (self.folder / "passwd").write_text(f"{user}:{hashed}\n", encoding="utf-8")
        config = self.folder / "squid.conf"
        config.write_text(
            "\n".join(
                [
                    f"http_port {self.host}:{self.port}",
                    f"pid_filename {self.folder}/squid.pid",
                    f"cache_log {self.folder}/cache.log",
                    f"access_log stdio:{self.log}",
                    "cache deny all",
                    "cache_mem 8 MB",
                    f"coredump_dir {self.folder}",
                    f"auth_param basic program {self.HELPER} {self.folder}/passwd",
                    "auth_param basic realm autogpt-test",
                    "acl authed proxy_auth REQUIRED",
                    "http_access allow authed",
                    "http_access deny all",
                    "shutdown_lifetime 0 seconds",
                    # the tests use addresses: no query leaves the host
                    "dns_nameservers 127.0.0.1",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        if os.geteuid() == 0:  # squid runs as "proxy" then: its folder must be its own
            for path in (self.folder, *self.folder.iterdir()):
                shutil.chown(path, user="proxy")
        return ["squid", "-N", "-f", str(config)]

    def entries(self, *, at_least: int = 0) -> list[str]:
        """Access-log lines: ``"TCP_DENIED/407 CONNECT 127.0.0.1:5000"`` (not the start-up
        probe's connection, which sent no request). squid writes a line when a transaction
        ends, which can be just after the client saw the answer: wait for ``at_least``."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            found = self._read_entries()
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def _read_entries(self) -> list[str]:
        if not self.log.exists():
            return []
        found = []
        for line in self.log.read_text("utf-8", errors="replace").splitlines():
            fields = line.split()
            if len(fields) >= 7 and not fields[3].startswith("NONE"):
                found.append(" ".join((fields[3], fields[5], fields[6])))
        return found

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.folder, ignore_errors=True)
