"""``permissions.yaml``: read with the line of every mistake, and a rule added to its ``allow``
list without disturbing the rest of the file (comments, order, the other lists).

The file is YAML with up to three lists of rules (see :mod:`autogpt.agent.permissions`)::

    allow: [read_file, list_files, "execute_shell(ls *)"]
    ask: ["mcp__time__*"]
    deny: [delete_file]
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from autogpt.agent.permissions import VERDICTS, Permissions, Rule, RuleError
from autogpt.errors import ConfigError
from autogpt.journal.journal import write_atomic

_FIX = "write allow:, ask: and deny: lists of command names or patterns (see the README)"


def load(path: Path) -> Permissions:
    """The rules in ``path``; no file: no rules. A mistake is one :class:`ConfigError` naming the
    file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Permissions(source=str(path))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return Permissions.from_lists(_lists(path, text), source=str(path))


def _lists(path: Path, text: str) -> dict[str, list[str]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({exc.problem}); {_FIX}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}); {_FIX}") from None
    if root is None or _is_null(root):
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(f"{path}, line {root.start_mark.line + 1}: {_FIX}")
    lists: dict[str, list[str]] = {}
    for key, value in root.value:
        where = f"{path}, line {key.start_mark.line + 1}"
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in VERDICTS:
            raise ConfigError(f"{where}: unknown key {name!r}; {_FIX}")
        if name in lists:
            raise ConfigError(f"{where}: '{name}' is given twice; merge the two lists")
        lists[name] = _rules(path, value, name)
    return lists


def _rules(path: Path, node: yaml.Node, name: str) -> list[str]:
    if _is_null(node):
        return []
    if isinstance(node, yaml.ScalarNode):  # allow: read_file (one rule, not in a list)
        items: list[yaml.Node] = [node]
    elif isinstance(node, yaml.SequenceNode):
        items = list(node.value)
    else:
        raise ConfigError(
            f"{path}, line {node.start_mark.line + 1}: '{name}' must be a list of rules"
        )
    texts = []
    for item in items:
        where = f"{path}, line {item.start_mark.line + 1}"
        if not isinstance(item, yaml.ScalarNode) or _is_null(item):
            raise ConfigError(
                f"{where}: a rule is one text such as read_file or 'execute_shell(ls *)'"
            )
        try:
            Rule.parse(item.value)
        except RuleError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        texts.append(item.value)
    return texts


def _is_null(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:null"
        and node.value in ("", "~", "null", "Null", "NULL")
    )


def add_allowed(path: Path, rule: Rule) -> None:
    """Add ``rule`` to the file's ``allow`` list (creating the file or the list), keeping every
    other line as it was; the file is replaced atomically, and only if it still reads back as
    the same rules plus this one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    before = load(path) if text else Permissions()
    if rule.text in (r.text for r in before.allow):
        return
    new = _with_allowed(text, rule.text)
    after = Permissions.from_lists(_lists(path, new), source=str(path))
    if after.allow != (*before.allow, Rule.parse(rule.text)) or (after.ask, after.deny) != (
        before.ask,
        before.deny,
    ):
        raise ConfigError(f"{path}: could not add '{rule.text}' without changing other rules")
    write_atomic(path, new)


def _with_allowed(text: str, rule: str) -> str:
    quoted = json.dumps(rule, ensure_ascii=False)  # a YAML double-quoted scalar
    if text and not text.endswith("\n"):
        text += "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    allow = None
    if isinstance(root, yaml.MappingNode):
        allow = next((v for k, v in root.value if getattr(k, "value", None) == "allow"), None)
    if allow is None or root is None:
        return text + f"allow:\n  - {quoted}\n"
    if isinstance(allow, yaml.SequenceNode) and allow.flow_style:
        end = allow.end_mark.index - 1  # the closing ']'
        sep = ", " if allow.value else ""
        return text[:end] + sep + quoted + text[end:]
    lines = text.splitlines(keepends=True)
    if isinstance(allow, yaml.SequenceNode) and allow.value:
        last = allow.value[-1].end_mark
        at = last.line + (1 if last.column > 0 else 0)
        indent = " " * allow.start_mark.column
        return "".join([*lines[:at], f"{indent}- {quoted}\n", *lines[at:]])
    if isinstance(allow, yaml.ScalarNode) and not _is_null(allow):
        start, end = allow.start_mark.index, allow.end_mark.index
        return text[:start] + f"[{text[start:end]}, {quoted}]" + text[end:]
    if allow.end_mark.index > allow.start_mark.index:  # allow: null, allow: ~
        return text[: allow.start_mark.index] + f"[{quoted}]" + text[allow.end_mark.index :]
    # "allow:" with nothing after it: the item goes on the next line
    key = next(k for k, v in root.value if v is allow)
    at = key.start_mark.line + 1
    return "".join([*lines[:at], f"  - {quoted}\n", *lines[at:]])
