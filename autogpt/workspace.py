"""The agent's workspace: every path the model names is resolved here.

With ``restrict`` on (``RESTRICT_TO_WORKSPACE=True``) a path is refused when it leaves the
workspace: ``..``, absolute paths outside, ``~``, NUL bytes, and symlinks pointing out (resolution
follows symlinks before the check). Writes are atomic (temp file + rename) and UTF-8.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autogpt.errors import CommandError

BINARY_SNIFF_BYTES = 8192
SNAPSHOT_LIMIT = 20_000
SKIP_DIRS = frozenset({".git", "__pycache__", ".venv", "node_modules"})

Snapshot = dict[str, tuple[int, int]]
"""relative path -> (size, mtime_ns): what changed is told by comparing two of these."""


class PathOutsideWorkspace(CommandError):
    pass


@dataclass(frozen=True)
class TextSlice:
    text: str
    offset: int
    total_chars: int
    binary: bool = False

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


class Workspace:
    def __init__(self, root: str | Path, *, restrict: bool = True) -> None:
        self.root = Path(root).expanduser().resolve()
        self.restrict = restrict

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def resolve(self, name: str | os.PathLike[str]) -> Path:
        """The real path for ``name``, or :class:`PathOutsideWorkspace` saying why not."""
        raw = os.fspath(name)
        if "\x00" in raw:
            raise PathOutsideWorkspace(f"'{raw!r}' contains a NUL byte; paths may not")
        if not raw.strip():
            raise CommandError("the path is empty; give a file name inside the workspace")
        if self.restrict and raw.strip().startswith("~"):
            raise PathOutsideWorkspace(
                f"'{raw}' points to a home directory; only paths inside the workspace are allowed"
            )
        candidate = Path(raw)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = candidate.resolve()  # follows symlinks, folds ".."
        if self.restrict and not resolved.is_relative_to(self.root):
            raise PathOutsideWorkspace(
                f"'{raw}' is outside the workspace; use a path relative to the workspace"
            )
        return resolved

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def write_text(self, name: str, text: str, *, append: bool = False) -> Path:
        """Atomically replace (or extend) a file: readers never see half a write."""
        path = self.resolve(name)
        if path.is_dir():
            raise CommandError(f"'{name}' is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        if append and path.exists():
            text = path.read_text(encoding="utf-8", errors="replace") + text
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o777)
            else:
                os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def read_text(self, name: str, *, offset: int = 0, limit: int = 20000) -> TextSlice:
        """Up to ``limit`` characters from ``offset``; binary files are described, not dumped."""
        path = self.resolve(name)
        if not path.exists():
            raise CommandError(f"file '{name}' does not exist")
        if path.is_dir():
            raise CommandError(f"'{name}' is a directory; use list_files")
        with open(path, "rb") as handle:
            head = handle.read(BINARY_SNIFF_BYTES)
        if b"\x00" in head:
            size = path.stat().st_size
            return TextSlice(f"(binary file, {size} bytes; not shown)", 0, size, binary=True)
        # Large files: read only what is asked for, plus a cheap size estimate for the note.
        size = path.stat().st_size
        if size <= 4 * (offset + limit) + BINARY_SNIFF_BYTES:
            data = path.read_text(encoding="utf-8", errors="replace")
            return TextSlice(data[offset : offset + limit], offset, len(data))
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            if offset:
                handle.read(offset)
            text = handle.read(limit)
        return TextSlice(text, offset, max(size, offset + len(text)))

    def delete(self, name: str) -> Path:
        path = self.resolve(name)
        if path == self.root:
            raise CommandError("refusing to delete the workspace itself")
        if not path.exists() and not path.is_symlink():
            raise CommandError(f"file '{name}' does not exist")
        if path.is_dir() and not path.is_symlink():
            raise CommandError(f"'{name}' is a directory; delete_file removes files only")
        path.unlink()
        return path

    def list_files(self, directory: str = ".", *, limit: int = 500) -> list[str]:
        base = self.resolve(directory or ".")
        if not base.exists():
            raise CommandError(f"directory '{directory}' does not exist")
        if not base.is_dir():
            raise CommandError(f"'{directory}' is a file, not a directory")
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                found.append(self.relative(Path(dirpath) / fname))
                if len(found) >= limit:
                    return found
        return found


def snapshot(root: Path, limit: int = SNAPSHOT_LIMIT) -> Snapshot:
    """relative path -> (size, mtime_ns) of the workspace's files (at most ``limit`` of them)."""
    found: Snapshot = {}
    stack = [str(root)]
    prefix = len(str(root)) + 1
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        stack.append(entry.path)
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found[entry.path[prefix:]] = (st.st_size, st.st_mtime_ns)
            if len(found) >= limit:
                return found
    return found


@dataclass
class FileChanges:
    created: list[tuple[str, int]] = field(default_factory=list)
    changed: list[tuple[str, int]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.created or self.changed or self.deleted)


def diff(before: Snapshot, after: Snapshot) -> FileChanges:
    changes = FileChanges()
    for name, (size, mtime) in sorted(after.items()):
        old = before.get(name)
        if old is None:
            changes.created.append((name, size))
        elif old != (size, mtime):
            changes.changed.append((name, size))
    changes.deleted = sorted(set(before) - set(after))
    return changes
