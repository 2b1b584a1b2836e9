"""The agent's workspace: every path the model names is resolved here.

With ``restrict`` on (``RESTRICT_TO_WORKSPACE=True``) a path is refused when it leaves the
workspace: ``..``, absolute paths outside, ``~``, NUL bytes, and symlinks pointing out (resolution
follows symlinks before the check). Writes are atomic (temp file + rename) and UTF-8.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autogpt.errors import CommandError

BINARY_SNIFF_BYTES = 8192
SNAPSHOT_LIMIT = 20_000
READ_CHUNK_CHARS = 1 << 20
EXACT_COUNT_BYTES = 8 << 20
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
        """Atomically replace a file (readers never see half a write), or append to it without
        reading it. Only regular files: a FIFO, socket or device is refused, never opened."""
        path = self.resolve(name)
        if path.is_dir():
            raise CommandError(f"'{name}' is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        if append:
            fd = _open_regular(path, name, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            return path
        existing = _lstat(path)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise _not_regular(name, existing.st_mode)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, existing.st_mode & 0o777 if existing is not None else 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def create_file(self, name: str, data: bytes) -> Path:
        """Write a new file of bytes that appears whole or not at all, never replacing one:
        FileExistsError when ``name`` is taken (a generated image picks another name)."""
        path = self.resolve(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            try:
                os.link(tmp, path)  # atomic, and refused when the name exists
            except FileExistsError:
                raise
            except OSError:  # a filesystem without hard links
                if _lstat(path) is not None:
                    raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
                os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path

    def read_text(self, name: str, *, offset: int = 0, limit: int = 20000) -> TextSlice:
        """Up to ``limit`` characters from ``offset``; binary files are described, not dumped.

        Memory stays bounded whatever the file's size or the offset: the text before ``offset``
        is skipped in chunks, and the total is counted the same way (estimated from the size in
        bytes for files over ``EXACT_COUNT_BYTES``)."""
        path = self.resolve(name)
        if not path.exists():
            raise CommandError(f"file '{name}' does not exist")
        if path.is_dir():
            raise CommandError(f"'{name}' is a directory; use list_files")
        with os.fdopen(_open_regular(path, name, os.O_RDONLY), "rb") as raw:
            head = raw.read(BINARY_SNIFF_BYTES)
            size = os.fstat(raw.fileno()).st_size
            if b"\x00" in head:
                return TextSlice(f"(binary file, {size} bytes; not shown)", 0, size, binary=True)
            raw.seek(0)
            handle = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            skipped = _skip(handle, offset)
            if skipped < offset:
                return TextSlice("", offset, skipped)
            text = handle.read(limit)
            end = offset + len(text)
            if len(text) < limit:
                return TextSlice(text, offset, end)
            if size <= EXACT_COUNT_BYTES:
                return TextSlice(text, offset, end + _skip(handle, size))
            return TextSlice(text, offset, max(size, end))

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


def _open_regular(path: Path, name: str, flags: int) -> int:
    """A descriptor of a regular file. ``O_NONBLOCK``: opening a FIFO never waits for the other
    end; ``O_NOFOLLOW``: the path was resolved, a symlink put there since is refused."""
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO opened for writing with no reader
            raise _not_regular(name, stat.S_IFIFO) from None
        if exc.errno == errno.ELOOP:
            raise CommandError(f"'{name}' became a symlink; try again") from None
        raise CommandError(f"cannot open '{name}': {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_regular(name, mode)
    os.set_blocking(fd, True)
    return fd


def _not_regular(name: str, mode: int) -> CommandError:
    kinds = {
        stat.S_IFIFO: "a FIFO",
        stat.S_IFSOCK: "a socket",
        stat.S_IFCHR: "a device",
        stat.S_IFBLK: "a device",
        stat.S_IFDIR: "a directory",
    }
    kind = kinds.get(stat.S_IFMT(mode), "not a file")
    return CommandError(
        f"'{name}' is not a regular file ({kind}); only regular files can be read or written"
    )


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _skip(handle: io.TextIOWrapper, count: int) -> int:
    """Read past up to ``count`` characters a chunk at a time; how many there were."""
    done = 0
    while done < count:
        chunk = handle.read(min(READ_CHUNK_CHARS, count - done))
        if not chunk:
            break
        done += len(chunk)
    return done


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
