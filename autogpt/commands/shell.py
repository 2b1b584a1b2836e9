"""``execute_shell``: one allowed command, without a shell, in the sandbox Python runs in.

Offered only with ``EXECUTE_LOCAL_COMMANDS=True``. The command line is split as a POSIX shell
would split words (quotes, backslashes, globs), but nothing else of a shell is done: pipes,
redirections, ``;``, ``&&``, ``&``, ``$VAR`` and ``$(...)`` are refused rather than silently
passed on as arguments. Globs are matched inside the sandbox (what the host has beside the
workspace is never listed), by a few lines of the sandbox's own ``python3`` that then exec the
program. ``SHELL_COMMAND_CONTROL=allowlist`` (the default) runs only commands named in
``SHELL_ALLOWLIST``, and even then not the ones that would start any other program
(``autogpt.sandbox.launchers``); ``denylist`` refuses any word naming a command in
``SHELL_DENYLIST`` — a weaker guard: the sandbox is what protects the machine.
"""

from __future__ import annotations

import os
import shlex
from typing import Annotated

from pydantic import Field

from autogpt.commands.code import code_unavailable, run_program
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import command
from autogpt.errors import CommandError
from autogpt.sandbox.launchers import Word, check_allowlisted
from autogpt.sandbox.select import executor

OPERATORS = frozenset(";&|<>()")
GLOB_CHARS = frozenset("*?[")
MAX_GLOB_MATCHES = 1000
NO_SHELL = (
    "commands run without a shell: give one program and its arguments. For pipes, redirections "
    "or several steps, write a Python script and run it with execute_python_file"
)


def split_command_line(line: str) -> list[Word]:
    """Words as a POSIX shell splits them; shell features that would need a shell are refused."""
    words: list[Word] = []
    buf: list[str] = []
    started = has_glob = False
    i, n = 0, len(line)

    def flush() -> None:
        nonlocal buf, started, has_glob
        if started:
            words.append(Word("".join(buf), has_glob))
        buf, started, has_glob = [], False, False

    while i < n:
        c = line[i]
        if c in " \t":
            flush()
        elif c in "\r\n":
            raise CommandError(f"one command per call, on one line; {NO_SHELL}")
        elif c in OPERATORS:
            raise CommandError(f"'{c}' needs a shell (pipes, redirections, chaining); {NO_SHELL}")
        elif c == "`":
            raise CommandError(f"command substitution (`...`) is not supported; {NO_SHELL}")
        elif c == "$" and _expands(line, i):
            raise CommandError(f"variables and $(...) are not expanded; {NO_SHELL}")
        elif c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise CommandError("unclosed single quote in the command line")
            buf.append(line[i + 1 : end])
            started = True
            i = end
        elif c == '"':
            i = _double_quoted(line, i, buf)
            started = True
        elif c == "\\":
            if i + 1 < n:
                i += 1
                buf.append(line[i])
            else:
                buf.append(c)
            started = True
        else:
            if c in GLOB_CHARS:
                has_glob = True
            buf.append(c)
            started = True
        i += 1
    flush()
    return words


def _expands(line: str, i: int) -> bool:
    nxt = line[i + 1 : i + 2]
    return bool(nxt) and (nxt.isalnum() or nxt in "_{(@*#?!$-")


def _double_quoted(line: str, i: int, buf: list[str]) -> int:
    """Append the double-quoted string starting at ``i``; return its closing quote's index."""
    j = i + 1
    while j < len(line):
        c = line[j]
        if c == '"':
            return j
        if c == "\\" and j + 1 < len(line) and line[j + 1] in '\\"$`':
            buf.append(line[j + 1])
            j += 2
            continue
        if c == "`" or (c == "$" and _expands(line, j)):
            raise CommandError(f"variables and command substitution are not expanded; {NO_SHELL}")
        buf.append(c)
        j += 1
    raise CommandError("unclosed double quote in the command line")


GLOB_LAUNCHER = f"""
import glob, os, sys
argv = []
for word in sys.argv[1:]:
    kind, text = word[0], word[1:]
    found = sorted(glob.glob(text))[:{MAX_GLOB_MATCHES}] if kind == "g" else []
    argv += [("./" + m if m.startswith("-") else m) for m in found] or [text]
try:
    os.execvp(argv[0], argv)
except OSError as exc:
    print(f"{{argv[0]}}: {{exc.strerror}}", file=sys.stderr)
    sys.exit(127)
"""
"""Run inside the sandbox: match the globs there, then become the program (no extra process)."""


def program_argv(words: list[Word]) -> list[str]:
    """The argv to run: the words, or the glob launcher when a word has a pattern."""
    if not any(word.glob for word in words):
        return [word.text for word in words]
    marked = [("g" if word.glob else "l") + word.text for word in words]
    return ["python3", "-I", "-S", "-c", GLOB_LAUNCHER, *marked]


def _shown(word: Word) -> str:
    """A word as the user would type it: a pattern unquoted (it is matched), the rest quoted."""
    if word.glob and not any(c.isspace() or c in "'\"\\" for c in word.text):
        return word.text
    return shlex.quote(word.text)


def check_allowed(words: list[Word], ctx: CommandContext) -> list[Word]:
    """The words to run, or a :class:`CommandError` saying why they may not run."""
    settings = ctx.settings
    if settings.shell_command_control == "allowlist":
        return check_allowlisted(words, settings.shell_allowlist)
    if words[0].glob:
        raise CommandError(f"the command must be written out, not a pattern ('{words[0].text}')")
    denied = set(settings.shell_denylist)
    for word in words:
        pieces = word.text.split()
        for candidate in (word.text, pieces[0] if pieces else ""):
            name = os.path.basename(candidate)
            if name in denied:
                raise CommandError(
                    f"'{name}' is on SHELL_DENYLIST ({', '.join(settings.shell_denylist)}); "
                    "use another way"
                )
    return words


def shell_unavailable(ctx: CommandContext) -> str | None:
    if not ctx.settings.execute_local_commands:
        return "shell commands are off (EXECUTE_LOCAL_COMMANDS=False)"
    return code_unavailable(ctx)  # the same backend as Python, so the same availability


@command(available=shell_unavailable)
def execute_shell(
    ctx: CommandContext,
    command_line: Annotated[
        str, Field(description="one program and its arguments, e.g. wc -l data.csv")
    ],
) -> str:
    """Run one command (a program and its arguments; no pipes, redirections or chaining) in the
    workspace, in a sandbox without network, and return its output."""
    # The backend Python uses (Docker when it is active), never a weaker one.
    words = split_command_line(command_line)
    if not words:
        raise CommandError("the command line is empty")
    words = check_allowed(words, ctx)
    backend = executor(ctx).backend()
    label = " ".join(_shown(word) for word in words)[:200]
    return run_program(ctx, backend, program_argv(words), label=label)
