"""Reply text / tool calls -> ``Proposal``, or a ``ReplyError`` telling the model what was wrong.

Pure: no I/O, no printing. Strict JSON first (the text, fenced blocks, objects in a row), then
``json_repair`` (trailing commas, Python dicts, missing quotes or braces, cut-off replies).
Every repair and rename is listed in ``Proposal.notes`` for the debug log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import json_repair

from autogpt.errors import ReplyError
from autogpt.llm.types import ToolCall
from autogpt.reply import limits
from autogpt.reply.aliases import canonical_args, canonical_command

_FORMAT_HINT = (
    "Reply with exactly one JSON object in the format given in the instructions"
    " (thoughts and command)."
)
_NO_JSON = "Your reply contained no JSON object. " + _FORMAT_HINT
_NO_COMMAND = (
    'Your reply had no "command" with a "name". Include "command": {"name": "<one of the listed'
    ' commands>", "args": {...}} next to "thoughts" in one JSON object.'
)
_CUT_OFF = (
    "Your reply was cut off before the command was complete. Keep the thoughts short and send"
    " the whole JSON object, command included."
)
_FENCE = re.compile(r"```[\w+-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_BARE_KEY = re.compile(r"""\s*(?:(["'])\w+\1|thoughts|command)\s*:""")  # outer braces missing
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
_ARG_KEYS = ("args", "arguments", "parameters", "params")
_THOUGHT_KEYS = ("text", "reasoning", "plan", "criticism", "speak")


@dataclass(frozen=True)
class Thoughts:
    text: str = ""
    reasoning: str = ""
    plan: tuple[str, ...] = ()
    criticism: str = ""
    speak: str = ""


@dataclass(frozen=True)
class Proposal:
    thoughts: Thoughts
    command: str
    """Canonical name after case-folding and aliases; unknown names pass through unchanged."""
    args: dict[str, Any]
    tool_call_id: str | None = None
    notes: tuple[str, ...] = ()
    """What was repaired or renamed, for the debug log."""


def parse_reply(
    text: str | None,
    tool_calls: Sequence[ToolCall] = (),
    *,
    commands: Mapping[str, Sequence[str]],
) -> Proposal:
    """The command the model proposes. ``commands`` maps known command names to argument names.

    With tool calls, the first call is the command and ``text`` only supplies the thoughts.
    A reply over the caps of ``reply/limits.py`` is refused before it is decoded."""
    limits.check_reply(text, tool_calls)
    if tool_calls:
        return _from_tool_call(text, tool_calls, commands)
    if text is None or not text.strip():
        raise ReplyError("Your reply was empty. " + _FORMAT_HINT)
    notes: list[str] = []
    objects, truncated = _find_objects(text, notes)
    found = next(((o, c) for o in objects if (c := _command_of(o)) is not None), None)
    if found is None:
        raise ReplyError(_CUT_OFF if truncated else _NO_COMMAND if objects else _NO_JSON)
    chosen, (name, raw_args, has_args) = found
    if truncated and not (has_args and isinstance(raw_args, dict)):
        raise ReplyError(_CUT_OFF)  # cut inside the command's name or args: do not guess
    notes += ["reply was cut off; recovered the command"] if truncated else []
    thoughts = next(
        (t for o in [chosen, *objects] if (t := _thoughts_of(o)) is not None), Thoughts()
    )
    if not isinstance(name, str) or not name.strip():
        raise ReplyError(_NO_COMMAND)
    limits.check_name(name)
    command = _canonical(name, commands, notes)
    args, arg_notes = canonical_args(_args_object(raw_args, command, notes), commands.get(command))
    limits.check_args(command, args)
    return Proposal(thoughts, command, args, None, tuple(notes + arg_notes))


def _from_tool_call(
    text: str | None, tool_calls: Sequence[ToolCall], commands: Mapping[str, Sequence[str]]
) -> Proposal:
    call = tool_calls[0]
    notes: list[str] = []
    if len(tool_calls) > 1:
        ignored = ", ".join(c.name[: limits.MAX_COMMAND_NAME_CHARS] for c in tool_calls[1:])
        notes.append(f"used the first of {len(tool_calls)} tool calls; ignored: {ignored}")
    if not call.name.strip():
        raise ReplyError("Your tool call had no function name. Call one of the provided tools.")
    limits.check_name(call.name)
    command = _canonical(call.name, commands, notes)
    args = _tool_arguments(call, command, commands, notes)
    args, arg_notes = canonical_args(args, commands.get(command))
    limits.check_args(command, args)
    thoughts = Thoughts()
    if text and text.strip():  # the same thoughts JSON, or prose
        objects, _ = _find_objects(text, [])
        found = next((t for o in objects if (t := _thoughts_of(o)) is not None), None)
        thoughts = found or Thoughts(text=limits.cut_thought(text.strip()))
    return Proposal(thoughts, command, args, call.id, tuple(notes + arg_notes))


def _canonical(name: str, commands: Mapping[str, Sequence[str]], notes: list[str]) -> str:
    command, note = canonical_command(name, commands)
    notes += [note] if note else []
    return command


def _find_objects(text: str, notes: list[str]) -> tuple[list[dict[str, Any]], bool]:
    """All objects of the first reading that has a command (else of the first that has objects),
    and whether that reading was of a cut-off reply."""
    segments = [text.strip(), *(m.group(1).strip() for m in _FENCE.finditer(text))]
    braced = ["{" + s + "}" if _BARE_KEY.match(s) else s for s in segments]
    fallback: tuple[list[dict[str, Any]], bool] = ([], False)
    for repair in (False, True):
        for seg in braced:
            objects = _decode_repaired(seg) if repair else _decode_strict(seg)
            truncated = repair and _looks_truncated(seg)
            if any(_command_of(o) is not None for o in objects):
                notes += ["repaired JSON"] if repair else []
                notes += ["added missing outer braces"] if seg not in segments else []
                return objects, truncated
            fallback = fallback if fallback[0] else (objects, truncated)
    return fallback


def _decode_strict(seg: str) -> list[dict[str, Any]]:
    """Objects that are valid JSON one after another (raw newlines in strings allowed)."""
    decoder = json.JSONDecoder(strict=False)
    objects: list[dict[str, Any]] = []
    start = seg.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(seg, start)
        except ValueError:
            break
        except RecursionError:
            raise limits.nesting_error() from None
        objects += _dicts(value)
        start = seg.find("{", end)
    return objects


def _decode_repaired(seg: str) -> list[dict[str, Any]]:
    try:
        value = json_repair.loads(seg)
    except Exception:  # json_repair's own asserts can fail on garbage: then it is not repairable
        return []
    return list(_dicts(value))


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Objects at the top level (or in a top-level list), then any nested object with a command."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            yield item
            yield from (v for v in item.values() if isinstance(v, dict) and "command" in v)


def _looks_truncated(seg: str) -> bool:
    """True when the text ends inside a string or an unclosed object/array."""
    depths = limits.json_depths(seg[seg.find("{") :] if "{" in seg else "")
    return depths.in_string or depths.open > 0


def _command_of(obj: dict[str, Any]) -> tuple[Any, Any, bool] | None:
    """(name, raw args, whether args were given) for every shape models use, or None."""
    cmd = obj.get("command")
    if isinstance(cmd, list) and cmd and isinstance(cmd[0], dict):
        cmd = cmd[0]
    if isinstance(cmd, dict):
        if "name" in cmd:
            key = _args_key(cmd)
            if key is not None:
                return cmd["name"], cmd[key], True
            rest = {k: v for k, v in cmd.items() if k != "name"}  # arguments inline
            return cmd["name"], rest, bool(rest)
        if len(cmd) == 1:  # {"command": {"read_file": {"filename": ...}}}
            ((name, args),) = cmd.items()
            return (name, args, True) if isinstance(args, dict) else None
        return None
    key = _args_key(obj)
    if isinstance(cmd, str) and cmd.strip():
        return cmd, obj[key] if key else {}, key is not None
    if isinstance(obj.get("name"), str) and key is not None:
        return obj["name"], obj[key], True
    return None


def _args_key(obj: dict[str, Any]) -> str | None:
    return next((k for k in _ARG_KEYS if k in obj), None)


def _thoughts_of(obj: dict[str, Any]) -> Thoughts | None:
    raw = obj.get("thoughts")
    if isinstance(raw, str) and raw.strip():
        return Thoughts(text=limits.cut_thought(raw.strip()))
    if not isinstance(raw, dict):
        raw = obj if any(k in obj for k in _THOUGHT_KEYS) else None
    if raw is None:
        return None
    texts = {k: limits.cut_thought(_as_text(raw.get(k))) for k in _THOUGHT_KEYS if k != "plan"}
    return Thoughts(**texts, plan=limits.cut_plan(_plan(raw.get("plan"))))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value)
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _plan(value: Any) -> tuple[str, ...]:
    """A plan given as a list, or as a string of "- " bullet lines, as a tuple of steps."""
    items = value if isinstance(value, list) else _as_text(value).splitlines()
    steps = (_BULLET.sub("", _as_text(item)) for item in items)
    return tuple(s.strip() for s in steps if s.strip())


def _args_object(raw: Any, command: str, notes: list[str]) -> dict[str, Any]:
    """The command's args as a dict; a JSON string holding an object is decoded."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        value = _load_object(raw, notes)
        if value is not None:
            notes.append("args given as a JSON string")
            return value
    raise ReplyError(
        f'The "args" of command {command!r} must be a JSON object of argument names and values,'
        f" not {type(raw).__name__} {_snip(raw)}. Send"
        ' "command": {"name": ..., "args": {"<argument>": <value>, ...}}.'
    )


def _tool_arguments(
    call: ToolCall, command: str, commands: Mapping[str, Sequence[str]], notes: list[str]
) -> dict[str, Any]:
    raw = call.arguments.strip()
    if not raw:
        return {}
    value = _load_object(raw, notes)
    if value is None:
        example = ", ".join(f'"{p}": ...' for p in commands.get(command, ()))
        raise ReplyError(
            f"The tool call {call.name!r} had arguments that are not a JSON object: {_snip(raw)}."
            f" Send the arguments as one JSON object, e.g. {{{example}}}."
        )
    params = commands.get(command, ())
    if len(value) == 1 and (key := next(iter(value))) in _ARG_KEYS and key not in params:
        inner = value[key]
        if isinstance(inner, dict):  # {"args": {...}}: the reply format inside the call
            notes.append(f"unwrapped {key!r} in the tool-call arguments")
            return inner
    return value


def _load_object(raw: str, notes: list[str]) -> dict[str, Any] | None:
    """A JSON object from text, strictly if possible, else repaired; None if it is not one."""
    for _ in range(2):  # a second pass for an object encoded twice ("{\"filename\": ...}")
        try:
            value = json.loads(raw, strict=False)
        except RecursionError:
            raise limits.nesting_error() from None
        except ValueError:
            value = _decode_repaired(raw)
            value = value[0] if len(value) == 1 else None
            if value is not None:
                notes.append("repaired JSON")
        if isinstance(value, dict):
            return value
        if not isinstance(value, str):
            return None
        raw = value
    return None


def _snip(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"
