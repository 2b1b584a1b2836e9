"""What the model (and the user) is told about a run: status, output, files touched; within budget.

The model gets the exit status (or why the program was killed), stdout (its start and end when
long), the tail of stderr (where the traceback is), and the files the run created, changed or
deleted in the workspace (from a before/after snapshot of sizes and mtimes). Everything is cut to
the command's token budget, with a note of what was cut.
"""

from __future__ import annotations

from collections.abc import Callable

from autogpt.sandbox.base import ExecResult
from autogpt.workspace import FileChanges, diff, snapshot

__all__ = ["FileChanges", "diff", "snapshot"]  # re-exported for the runner and its tests

MAX_FILES_LISTED = 15
STDERR_SHARE = 0.4
USER_TAIL_LINES = 12

Counter = Callable[[str], int]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def describe_files(changes: FileChanges) -> list[str]:
    lines = []
    for label, items in (("created", changes.created), ("changed", changes.changed)):
        if items:
            shown = ", ".join(f"{n} ({human_size(s)})" for n, s in items[:MAX_FILES_LISTED])
            more = (
                f" and {len(items) - MAX_FILES_LISTED} more"
                if len(items) > MAX_FILES_LISTED
                else ""
            )
            lines.append(f"Files {label} in the workspace: {shown}{more}")
    if changes.deleted:
        shown = ", ".join(changes.deleted[:MAX_FILES_LISTED])
        more = (
            f" and {len(changes.deleted) - MAX_FILES_LISTED} more"
            if len(changes.deleted) > MAX_FILES_LISTED
            else ""
        )
        lines.append(f"Files deleted from the workspace: {shown}{more}")
    return lines


def status_line(label: str, result: ExecResult) -> str:
    where = {
        "docker": "Docker",
        "bubblewrap": "local sandbox",
        "unsandboxed": "unsandboxed",
    }.get(result.backend, result.backend)
    took = f"{result.duration:.1f} s, {where}"
    if result.timed_out:
        return (
            f"`{label}` was killed: timed out after {result.timeout:g} s (EXECUTE_TIMEOUT). "
            "Make it finish sooner (smaller input, no waiting for input, no endless loop)."
        )
    if result.oom_killed:
        return (
            f"`{label}` was killed: out of memory (limit {result.memory_limit_mb} MB, "
            f"EXECUTE_MEMORY_LIMIT_MB) after {result.duration:.1f} s. Use less memory."
        )
    if result.exit_code == 0:
        return f"`{label}` finished with exit status 0 ({took})."
    text = f"`{label}` failed with exit status {result.exit_code} ({took})"
    if result.exit_code is not None and result.exit_code > 128:
        text += f", killed by signal {result.exit_code - 128}"
    if _memory_error(result):
        scope = "" if result.backend == "docker" else " per process"
        text += f"; it ran out of memory (limit {result.memory_limit_mb} MB{scope})"
    return text + "."


def _memory_error(result: ExecResult) -> bool:
    tail = (result.stderr.tail or result.stderr.head)[-2000:]
    return b"MemoryError" in tail


def fit(text: str, max_tokens: int, count: Counter, keep: str) -> tuple[str, int]:
    """``text`` cut to ``max_tokens`` (keeping its ``head``, ``tail`` or ``both`` ends, at line
    boundaries when possible) and the number of characters cut."""
    if max_tokens <= 0:
        return "", len(text)
    if count(text) <= max_tokens:
        return text, 0
    ratio = len(text) / max(1, count(text))
    chars = int(max_tokens * ratio * 0.95)
    for _ in range(6):
        cut = _cut(text, chars, keep)
        if count(cut) <= max_tokens:
            return cut, len(text) - len(cut)
        chars = int(chars * 0.8)
    cut = _cut(text, chars, keep)
    return cut, len(text) - len(cut)


def _cut(text: str, chars: int, keep: str) -> str:
    if chars <= 0:
        return ""
    if keep == "head":
        part = text[:chars]
        nl = part.rfind("\n")
        return part[: nl + 1] if nl > chars // 2 else part
    if keep == "tail":
        part = text[-chars:]
        nl = part.find("\n")
        return part[nl + 1 :] if 0 <= nl < chars // 2 else part
    head = _cut(text, chars * 3 // 5, "head")
    tail = _cut(text, chars - len(head), "tail")
    return head + "\n[...]\n" + tail


def for_model(
    label: str,
    result: ExecResult,
    changes: FileChanges,
    *,
    budget_tokens: int,
    count: Counter,
    prefix: str = "",
) -> str:
    """The text returned to the model (``prefix`` first), at most ``budget_tokens`` by ``count``
    (unless the status and file lines alone are longer)."""
    stdout = result.stdout.text().rstrip("\n")
    stderr = result.stderr.text().rstrip("\n")
    room = budget_tokens
    text = ""
    for _ in range(5):
        text = _compose(label, result, changes, stdout, stderr, room, count, prefix)
        over = count(text) - budget_tokens
        if over <= 0:
            break
        room -= over + 5
    return text


def _compose(
    label: str,
    result: ExecResult,
    changes: FileChanges,
    stdout: str,
    stderr: str,
    room: int,
    count: Counter,
    prefix: str,
) -> str:
    head = prefix + status_line(label, result)
    files = describe_files(changes)
    if not files and not result.timed_out:
        files = ["No files were created or changed in the workspace."]
    room = max(20, room - count("\n".join([head, *files])) - 12)  # the section titles
    if stdout and stderr:
        err_room = min(int(room * STDERR_SHARE), count(stderr))
    else:
        err_room = room if stderr else 0
    stderr_shown, stderr_cut = fit(stderr, err_room, count, "tail")
    stdout_shown, stdout_cut = fit(stdout, room - err_room, count, "both")
    notes: list[str] = []
    lost_out = stdout_cut + (result.stdout.cut_bytes if result.stdout.tail else 0)
    lost_err = stderr_cut + (result.stderr.cut_bytes if result.stderr.tail else 0)
    if lost_out:
        notes.append(f"about {lost_out} characters of stdout (from the middle)")
    if lost_err:
        notes.append(f"about {lost_err} characters of stderr (from the start)")
    parts = [head]
    if stdout_shown:
        parts.append(f"--- stdout ---\n{stdout_shown}")
    elif not stdout:
        parts.append("--- stdout: (empty) ---")
    if stderr_shown:
        parts.append(f"--- stderr (the end) ---\n{stderr_shown}")
    parts.extend(files)
    if notes:
        parts.append(
            "[Output cut to fit: "
            + "; ".join(notes)
            + ". Write large output to a file and read it in parts with read_file.]"
        )
    return "\n".join(parts)


def for_user(label: str, result: ExecResult, changes: FileChanges | None = None) -> str:
    """A short report for the user: the status, the end of what the program printed (stdout;
    stderr too when it failed), labelled and indented so that its traceback is never mistaken
    for a crash of the agent, and the files it changed."""
    parts = [status_line(label, result)]
    failed = result.exit_code != 0 or result.timed_out or result.oom_killed
    streams = [("stdout", result.stdout)] + ([("stderr", result.stderr)] if failed else [])
    for name, stream in streams:
        tail = stream.text().rstrip("\n").splitlines()[-USER_TAIL_LINES:]
        if tail:
            parts.append(f"  program output ({name}, last {len(tail)} lines):")
            parts += [f"    | {row}" for row in tail]
    if changes is not None:
        parts += describe_files(changes)
    return "\n".join(parts)
