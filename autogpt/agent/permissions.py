"""Permission rules: which commands run without asking, which are always asked, which never run.

A rule is a command name or an fnmatch-style pattern (``read_file``, ``mcp__time__*``),
optionally with a pattern for the command's *main argument* in parentheses
(``execute_shell(ls *)``). The main argument is the first argument of the command's schema
(``command_line`` of execute_shell, ``filename`` of the file commands, ``url``, ``query``...);
for a command whose schema is unknown, the first argument the call gives. Matching is
case-sensitive (``fnmatchcase``); the value is trimmed and its runs of whitespace are one space;
path arguments are compared relative to the workspace, with ``.`` and ``..`` folded. A pattern
ending in `` *`` also matches the bare command: ``execute_shell(ls *)`` matches ``ls``.

Precedence: **deny > ask > allow**, whatever the order in the file; rules granted at the prompt
for the session count as ``allow``. Pure: no I/O (the file is read and written by
:mod:`autogpt.agent.permissions_file`).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

Verdict = Literal["allow", "ask", "deny"]
VERDICTS: tuple[Verdict, ...] = ("deny", "ask", "allow")
"""In order of precedence."""

PATH_ARGUMENTS = frozenset({"filename", "directory", "path", "file", "dir"})
"""Main arguments compared as paths (normalised, relative to the workspace)."""

_NAME = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")
_SHELL = "execute_shell"


class RuleError(ValueError):
    """A rule that cannot be read; the text says what is wrong and what is allowed."""


@dataclass(frozen=True)
class Rule:
    text: str
    """As written in the file (or proposed at the prompt)."""
    name: str
    argument: str | None = None
    """The pattern for the main argument; ``None``: any call of the command."""

    @classmethod
    def parse(cls, text: str) -> Rule:
        raw = text.strip()
        if not raw:
            raise RuleError("an empty rule; write a command name such as read_file")
        name, argument = raw, None
        if "(" in raw or raw.endswith(")"):
            name, sep, rest = raw.partition("(")
            if not sep or not rest.endswith(")"):
                raise RuleError(
                    f"'{raw}': a rule is NAME or NAME(PATTERN), with the closing ')' last"
                )
            name, argument = name.strip(), rest[:-1].strip()
            if not argument:
                raise RuleError(f"'{raw}': empty parentheses; write NAME alone for any call")
        if not _NAME.match(name):
            raise RuleError(
                f"'{raw}': '{name}' is not a command name or pattern "
                "(letters, digits, _ and -, with * ? [ ] as wildcards)"
            )
        return cls(raw, name, argument)

    def matches(self, command: str, main: str | None) -> bool:
        if not fnmatchcase(command, self.name):
            return False
        if self.argument is None:
            return True
        if main is None:
            return False
        if fnmatchcase(main, self.argument):
            return True
        return self.argument.endswith(" *") and fnmatchcase(main, self.argument[:-2])


@dataclass(frozen=True)
class Ruling:
    """What the rules say about one call; ``verdict=None``: no rule matched."""

    verdict: Verdict | None
    rule: Rule | None = None
    granted: bool = False
    """The rule was granted at the prompt this session (``a``), not read from the file."""


@dataclass
class Permissions:
    """The rules of one run: the file's and those granted at the prompt for the session."""

    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()
    source: str = ""
    """Where the rules came from (the file's path), for messages; empty: no file."""
    granted: list[Rule] = field(default_factory=list)

    @classmethod
    def from_lists(cls, lists: Mapping[str, Sequence[str]], source: str = "") -> Permissions:
        def rules(kind: Verdict) -> tuple[Rule, ...]:
            return tuple(Rule.parse(text) for text in lists.get(kind, ()))

        return cls(allow=rules("allow"), ask=rules("ask"), deny=rules("deny"), source=source)

    def check(self, command: str, main: str | None) -> Ruling:
        """The verdict of the highest-precedence matching rule (deny > ask > allow)."""
        for verdict in VERDICTS:
            for rule in getattr(self, verdict):
                if rule.matches(command, main):
                    return Ruling(verdict, rule)
        for rule in self.granted:
            if rule.matches(command, main):
                return Ruling("allow", rule, granted=True)
        return Ruling(None)

    def grant(self, rule: Rule) -> None:
        """Allow what ``rule`` matches for the rest of the session (``a`` at the prompt)."""
        if rule not in self.granted:
            self.granted.append(rule)

    def is_empty(self) -> bool:
        return not (self.allow or self.ask or self.deny or self.granted)

    def describe(self) -> list[str]:
        """The rules in force, one line per verdict, for the start-up screen."""
        lines = [
            f"{verdict}: {', '.join(rule.text for rule in getattr(self, verdict))}"
            for verdict in VERDICTS
            if getattr(self, verdict)
        ]
        if self.granted:
            lines.append("allowed this session: " + ", ".join(rule.text for rule in self.granted))
        return lines


def main_argument(
    args: Mapping[str, Any], arg_names: Sequence[str] | None, *, root: str | None = None
) -> str | None:
    """The value a rule's parentheses are matched against, normalised (see the module doc);
    ``None`` when the call has no such argument."""
    name = arg_names[0] if arg_names else next(iter(args), None)
    if name is None or name not in args or args[name] is None:
        return None
    value = args[name]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if name in PATH_ARGUMENTS and text:
        text = _relative_path(text, root)
    return text


def _relative_path(text: str, root: str | None) -> str:
    if root and posixpath.isabs(text):
        norm_root = posixpath.normpath(root)
        norm = posixpath.normpath(text)
        if norm == norm_root:
            return "."
        if norm.startswith(norm_root.rstrip("/") + "/"):
            return norm[len(norm_root.rstrip("/")) + 1 :]
        return norm
    return posixpath.normpath(text)


def rule_for_session(command: str, main: str | None) -> Rule:
    """What ``a`` (always allow) grants: the command by name, but for execute_shell only the
    program just proposed, with any arguments (``execute_shell(ls *)``), never every program."""
    if command == _SHELL and main:
        program = main.split(" ", 1)[0]
        return Rule(f"{command}({escape(program)} *)", command, f"{escape(program)} *")
    return Rule(escape(command), escape(command))


def escape(text: str) -> str:
    """``text`` as a pattern that matches only itself."""
    return re.sub(r"([*?\[])", r"[\1]", text)
