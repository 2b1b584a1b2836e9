"""Programs that start other programs, and how ``execute_shell`` checks them in allowlist mode.

An allowlist is only as strong as its weakest entry: ``find -exec``, ``env``, ``xargs``,
``awk 'BEGIN { system(...) }'``, ``git -c core.pager=...`` or ``tar --to-command`` turn one
allowed name into any program. So, even when named in ``SHELL_ALLOWLIST``: shells, interpreters
and command wrappers are refused (code runs through ``execute_python_*``); ``find``, ``env``,
``awk``, ``tar``, ``sort``, ``split`` and ``zip`` have their arguments checked; ``sed`` runs with
``--sandbox`` (no ``e``, ``r`` or ``w`` commands). The checks read the words as written: a glob
is matched later, inside the sandbox, and a match starting with ``-`` is passed as ``./-name``,
so a file name can never become an option.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from autogpt.errors import CommandError

NO_CODE = "write a Python script and run it with execute_python_file (or execute_python_code)"

INTERPRETER = re.compile(
    r"(python|pypy|ipython|perl|ruby|irb|php|lua|luajit|node|nodejs|deno|bun|tclsh|wish|expect"
    r"|julia|Rscript|R|guile|java|jshell|sh|bash|dash|zsh|ksh|mksh|yash|fish|csh|tcsh|rbash"
    r"|busybox|toybox|pwsh|nu|elvish)[\d.]*"
)
"""Shells and interpreters: they run any code they are given."""

WRAPPERS = {
    "xargs": "",
    "nohup": "",
    "nice": "",
    "timeout": "",
    "stdbuf": "",
    "setsid": "",
    "setpriv": "",
    "chroot": "",
    "sudo": "",
    "su": "",
    "doas": "",
    "runuser": "",
    "time": "",
    "watch": "",
    "flock": "",
    "unshare": "",
    "nsenter": "",
    "ionice": "",
    "chrt": "",
    "taskset": "",
    "prlimit": "",
    "strace": "",
    "ltrace": "",
    "gdb": "",
    "script": "",
    "parallel": "",
    "make": " (a Makefile names any command)",
    "gmake": " (a Makefile names any command)",
    "m4": " (syscmd, esyscmd)",
    "git": " (its configuration, also a .git/config written in the workspace, can name any "
    "program: pager, editor, hooks, filters, aliases)",
    "ssh": "",
    "scp": "",
    "sftp": "",
    "rsync": "",
    "vi": "",
    "vim": "",
    "nvim": "",
    "ex": "",
    "view": "",
    "ed": "",
    "emacs": "",
    "less": "",
    "more": "",
    "man": "",
}
"""Refused with any arguments: their job, or a common option, is starting another program."""

EXEC_FLAGS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
AWKS = frozenset({"awk", "gawk", "mawk", "nawk", "original-awk"})
AWK_BAD_LONG = ("--file", "--exec", "--include", "--load")


@dataclass(frozen=True)
class Word:
    text: str
    glob: bool = False
    """It has an unquoted ``*``, ``?`` or ``[`` (matched inside the sandbox)."""


def check_allowlisted(words: list[Word], allowed: Collection[str]) -> list[Word]:
    """The words to run (``sed`` gets ``--sandbox``), or a :class:`CommandError` saying why not."""
    name = command_name(words[0], allowed)
    if name not in allowed:
        raise CommandError(
            f"'{name}' is not an allowed command (SHELL_ALLOWLIST); allowed commands: "
            f"{', '.join(allowed)}"
        )
    if INTERPRETER.fullmatch(name):
        raise CommandError(f"'{name}' runs any code, so execute_shell does not run it; {NO_CODE}")
    if name in WRAPPERS:
        raise CommandError(
            f"'{name}' starts other programs{WRAPPERS[name]}, so it is refused even when allowed;"
            " run the program directly, or write a Python script"
        )
    check = CHECKS.get(name)
    args = words[1:]
    if name in AWKS:
        check = _check_awk
    if check is not None:
        args = check(args, allowed)
    return [words[0], *args]


def command_name(word: Word, allowed: Collection[str]) -> str:
    """The program a word names: written out, by name (the sandbox's PATH finds it)."""
    if word.glob:
        raise CommandError(
            f"the command must be written out, not a pattern ('{word.text}'); allowed commands: "
            f"{', '.join(allowed)}"
        )
    if "/" in word.text:
        raise CommandError(
            f"give the command by name, not by path ('{word.text}'); allowed commands: "
            f"{', '.join(allowed)}"
        )
    return word.text


Check = Callable[[list[Word], Collection[str]], list[Word]]


def _check_env(args: list[Word], allowed: Collection[str]) -> list[Word]:
    if any(arg.text not in ("-0", "--null") for arg in args):
        raise CommandError(
            "env can only print the environment here (with a command or variables it would "
            "start a program, with LD_PRELOAD or PATH of its choosing); run the program directly"
        )
    return args


def _check_find(args: list[Word], allowed: Collection[str]) -> list[Word]:
    """Every ``-exec CMD ... ;`` (also -execdir, -ok, -okdir) is checked as a command of its own."""
    out: list[Word] = []
    i = 0
    while i < len(args):
        out.append(args[i])
        if args[i].text in EXEC_FLAGS and not args[i].glob:
            end = i + 1
            while end < len(args) and args[end].text not in (";", "+"):
                end += 1
            if end == i + 1:
                raise CommandError(f"find: {args[i].text} needs a command")
            out += check_allowlisted(args[i + 1 : end], allowed)
            i = end
            continue
        i += 1
    return out


def _check_awk(args: list[Word], allowed: Collection[str]) -> list[Word]:
    i, program = 0, None
    while i < len(args) and program is None:
        text = args[i].text
        if text == "--":
            i += 1
            break
        if text.startswith("--"):
            name, _, value = text.partition("=")
            if _abbreviates(name, AWK_BAD_LONG):
                raise CommandError(f"awk: {name} reads code from a file; give the program inline")
            if _abbreviates(name, ("--source",)):
                program = value
        elif text.startswith("-") and len(text) > 1:
            flag = text[1]
            if flag in "fEilW":
                raise CommandError(
                    f"awk: {text[:2]} (program, extension or option file) is refused; give the "
                    "program inline"
                )
            if flag in "Fve" and len(text) == 2:
                i += 1
            if flag == "e":
                program = text[2:] or (args[i].text if i < len(args) else "")
        else:
            break
        i += 1
    if program is None:
        if i >= len(args):
            return args
        if args[i].glob:
            raise CommandError("awk: the program must be written out, not a pattern")
        program = args[i].text
    _check_awk_program(program)
    return args


def _check_awk_program(program: str) -> None:
    if re.search(r"\bsystem\b", program):
        raise CommandError(f"awk: system() runs a shell command; {NO_CODE}")
    if "|" in program.replace("||", "") or "@load" in program or "@include" in program:
        raise CommandError(
            f"awk: pipes to or from commands (|, |&), @load and @include are refused; {NO_CODE}"
        )


TAR_BAD_LONG = (
    "--to-command",
    "--use-compress-program",
    "--checkpoint-action",
    "--info-script",
    "--new-volume-script",
    "--rsh-command",
    "--rmt-command",
    "--files-from",
)
TAR_BAD_SHORT = "IFT"
"""-I (compress program), -F (volume script), -T (a file list, whose lines may be options)."""


def _check_tar(args: list[Word], allowed: Collection[str]) -> list[Word]:
    for i, arg in enumerate(args):
        text = arg.text
        if text == "--":
            break
        if i == 0 and arg.glob:
            raise CommandError("tar: the options must be written out, not a pattern")
        old_style = i == 0 and not text.startswith("-")
        short = text.startswith("-") and not text.startswith("--")
        if (old_style or short) and any(flag in text for flag in TAR_BAD_SHORT):
            raise CommandError(
                f"tar: {text} is refused (-I, -F and -T run a program or read options from a "
                "file); use -z, -j or -J for compression"
            )
        _refuse_long("tar", text, TAR_BAD_LONG, exact_ok=("--checkpoint", "--file"))
    return args


def _long_only(command: str, bad: tuple[str, ...]) -> Check:
    def check(args: list[Word], allowed: Collection[str]) -> list[Word]:
        for arg in args:
            if arg.text == "--":
                break
            _refuse_long(command, arg.text, bad)
        return args

    return check


def _check_zip(args: list[Word], allowed: Collection[str]) -> list[Word]:
    if any(arg.text == "-TT" for arg in args):
        raise CommandError("zip: -TT runs a program; use zip -T")
    return _long_only("zip", ("--unzip-command",))(args, allowed)


def _sandboxed_sed(args: list[Word], allowed: Collection[str]) -> list[Word]:
    return [Word("--sandbox"), *args]


def _refuse_long(
    command: str, text: str, bad: tuple[str, ...], exact_ok: tuple[str, ...] = ()
) -> None:
    """GNU programs accept any unambiguous abbreviation of a long option (``--to-com``)."""
    if not text.startswith("--") or text == "--":
        return
    name = text.partition("=")[0]
    if name not in exact_ok and _abbreviates(name, bad):
        raise CommandError(f"{command}: {name} runs another program, so it is refused")


def _abbreviates(name: str, options: tuple[str, ...]) -> bool:
    return len(name) > 2 and any(option.startswith(name) for option in options)


CHECKS: dict[str, Check] = {
    "env": _check_env,
    "find": _check_find,
    "tar": _check_tar,
    "sort": _long_only("sort", ("--compress-program",)),
    "split": _long_only("split", ("--filter",)),
    "zip": _check_zip,
    "sed": _sandboxed_sed,
}
