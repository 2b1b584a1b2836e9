"""A task's workspace as artifacts: every regular file in it (symlinks are left out), with an
id derived from its path, so listing needs no index and a download is checked by the jail.

``relative_path`` is the file's folder inside the workspace ("" at its top), as agbenchmark
0.0.10 reads it (it joins ``relative_path`` and ``file_name``); an upload's ``relative_path``
is that folder too. Uploaded files are remembered so that ``agent_created`` is false for them.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from autogpt.errors import CommandError
from autogpt.journal.journal import write_atomic
from autogpt.workspace import SKIP_DIRS, Workspace

UPLOADS_FILE = "uploads.json"
COPY_CHUNK = 1 << 16
ID_SPACE = uuid.UUID("6b3d9a52-4f2c-4c61-9a43-1f0e2d6c8b7a")


class ArtifactError(Exception):
    """A request about artifacts that cannot be served; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Artifact:
    path: str
    """Inside the workspace, with forward slashes."""
    agent_created: bool
    created_at: str

    @property
    def artifact_id(self) -> str:
        return artifact_id(self.path)

    def to_json(self) -> dict[str, Any]:
        posix = PurePosixPath(self.path)
        folder = str(posix.parent)
        return {
            "artifact_id": self.artifact_id,
            "agent_created": self.agent_created,
            "file_name": posix.name,
            "relative_path": "" if folder == "." else folder,
            "created_at": self.created_at,
        }


def artifact_id(path: str) -> str:
    return str(uuid.uuid5(ID_SPACE, path))


class Artifacts:
    def __init__(self, workspace: Path, data_dir: Path) -> None:
        self.workspace = Workspace(workspace)
        self._uploads = data_dir / UPLOADS_FILE

    def all(self) -> list[Artifact]:
        """Every regular file, a folder's files (by name) before its subfolders (by name).
        ``os.scandir`` entries carry the file type, so only each file's mtime is a system
        call: a step lists the workspace twice (what it changed), bench/serve.py."""
        root = self.workspace.root
        if not root.is_dir():
            return []
        return _walk(str(root), self._uploaded())

    def find(self, ident: str) -> Path:
        for artifact in self.all():
            if artifact.artifact_id == ident:
                return self._resolve(artifact.path)
        raise ArtifactError(404, f"No artifact {ident!r} in this task's workspace.")

    def upload(
        self, stream: BinaryIO, *, file_name: str, folder: str | None, limit: int
    ) -> Artifact:
        name = PurePosixPath(file_name.replace("\\", "/")).name
        if not name or name in (".", ".."):
            raise ArtifactError(400, "The upload has no file name.")
        relative = f"{folder.rstrip('/')}/{name}" if folder and folder.strip("/") else name
        target = self._resolve(relative)
        path = target.relative_to(self.workspace.root).as_posix()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.upload")
        written = 0
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(COPY_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise ArtifactError(413, f"The upload is over the cap of {limit:,} bytes.")
                    out.write(chunk)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        uploaded = self._uploaded()
        uploaded.add(path)
        self._uploads.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self._uploads, json.dumps(sorted(uploaded), ensure_ascii=False))
        return Artifact(path, False, _iso(target.stat().st_mtime))

    def _resolve(self, relative: str) -> Path:
        try:
            return self.workspace.resolve(relative)
        except CommandError as exc:
            raise ArtifactError(400, f"Path refused: {exc}") from None

    def _uploaded(self) -> set[str]:
        try:
            data = json.loads(self._uploads.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {str(p) for p in data} if isinstance(data, list) else set()


def _walk(root: str, uploaded: set[str]) -> list[Artifact]:
    found: list[Artifact] = []
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue  # a symlink (to a file, a folder, nowhere), a pipe, a socket
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            path = prefix + entry.name
            found.append(Artifact(path, path not in uploaded, _iso(mtime)))
        stack += reversed(folders)  # the first subfolder is walked next
    return found


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
