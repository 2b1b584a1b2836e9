"""A real git repository served over HTTP, for the clone tests.

``make_repository`` builds a bare repository with the real ``git`` (files committed, then
``git update-server-info`` so git's dumb HTTP protocol can clone it from plain files).
``GitServer`` serves that folder from a threaded HTTP server; with ``credentials`` it answers
401 to any request whose ``Authorization`` header is not their basic-auth form (as GitHub does
for a private repository). ``delay`` holds every answer, for the time cap; ``redirect_to``
answers 301 to everything; ``smart`` serves git's smart protocol through the real
``git http-backend`` (shallow clones, as from GitHub). It records each
request: path, client address, whether it carried the right credentials.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.local_http import LocalHandler, LocalServer

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repository(
    folder: Path,
    files: dict[str, bytes | str],
    name: str = "demo",
    *,
    links: dict[str, str] | None = None,
) -> Path:
    """A bare repository ``folder/NAME.git`` holding ``files`` (and symbolic ``links``: path ->
    target) in one commit on ``main``."""
    folder = folder.resolve()
    work = folder / f"{name}-work"
    work.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=work)
    for path, content in files.items():
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
    for path, pointee in (links or {}).items():
        (work / path).symlink_to(pointee)
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "first", cwd=work)
    bare = folder / f"{name}.git"
    _git("clone", "-q", "--bare", str(work), str(bare), cwd=folder)
    _git("update-server-info", cwd=bare)
    return bare


@dataclass(frozen=True)
class Served:
    path: str
    client: str
    authorized: bool
    authorization: str | None


class _Handler(LocalHandler):
    server: LocalServer

    def do_GET(self) -> None:
        owner: GitServer = self.server.owner
        header = self.headers.get("Authorization")
        authorized = owner.expected is None or header == owner.expected
        owner.record(Served(self.path, self.client_address[0], authorized, header))
        if owner.delay:
            time.sleep(owner.delay)
        if owner.redirect_to:
            self.send_body(301, "moved", {"Location": owner.redirect_to + self.path})
            return
        if not authorized:
            self.send_body(401, "auth needed", {"WWW-Authenticate": 'Basic realm="git"'})
            return
        if owner.smart:
            self._backend(b"")
            return
        relative = self.path.split("?", 1)[0].lstrip("/")
        target = (owner.root / relative).resolve()
        if not target.is_relative_to(owner.root) or not target.is_file():
            self.send_body(404, "not found")
            return
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        step = 65536 if owner.trickle else len(data) or 1
        try:
            for start in range(0, len(data), step):
                self.wfile.write(data[start : start + step])
                self.wfile.flush()
                time.sleep(owner.trickle)
        except (BrokenPipeError, ConnectionResetError):
            owner.cut_off += 1  # the client went away mid-answer

    def do_POST(self) -> None:
        owner: GitServer = self.server.owner
        header = self.headers.get("Authorization")
        authorized = owner.expected is None or header == owner.expected
        owner.record(Served(self.path, self.client_address[0], authorized, header))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not authorized or not owner.smart:
            self.send_body(401 if not authorized else 405, "no")
            return
        self._backend(body)

    def _backend(self, body: bytes) -> None:
        """git's smart HTTP protocol: the real ``git http-backend`` as a CGI program."""
        owner: GitServer = self.server.owner
        path, _, query = self.path.partition("?")
        env = {
            **os.environ,
            **GIT_ENV,
            "GIT_PROJECT_ROOT": str(owner.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode("latin-1").split("\r\n") if ": " in line
        )
        status = int(headers.pop("Status", "200").split()[0])
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True


class GitServer:
    """Serves ``root`` (a folder holding ``NAME.git``) at ``url(NAME)``; a context manager."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        credentials: tuple[str, str] | None = None,
        delay: float = 0.0,
        redirect_to: str | None = None,
        smart: bool = False,
        trickle: float = 0.0,
    ) -> None:
        self.root = root.resolve()
        self.host = host
        self.delay = delay
        self.redirect_to = redirect_to
        self.smart = smart
        self.trickle = trickle
        """Seconds between 64 KB pieces of a file: a large one takes a while to arrive."""
        self.cut_off = 0
        """How many answers the client stopped reading in the middle."""
        """Serve git's smart protocol through ``git http-backend`` (as GitHub does: shallow
        clones work) instead of plain files."""
        """Answer every request with a 301 to this base URL plus the request's path."""
        self.expected = (
            "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
            if credentials
            else None
        )
        self.requests: list[Served] = []
        self._lock = threading.Lock()
        self._server: LocalServer | None = None
        self._port = 0

    def record(self, served: Served) -> None:
        with self._lock:
            self.requests.append(served)

    def wait_cut_off(self, count: int, timeout: float = 10.0) -> int:
        """``cut_off`` once it reaches ``count`` (its handler may still be writing), or after
        ``timeout`` seconds as it is."""
        deadline = time.monotonic() + timeout
        while self.cut_off < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.cut_off

    def url(self, name: str = "demo") -> str:
        assert self._port, "the server was not started"
        return f"http://{self.host}:{self._port}/{name}.git"

    def __enter__(self) -> GitServer:
        self._server = LocalServer(_Handler, owner=self, host=self.host)
        self._port = self._server.port
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
