"""Commands: declared once as typed functions, schema derived from the signature.

``@command`` records a :class:`CommandSpec` on the function; :class:`Registry` collects the specs
of the modules listed in ``autogpt.commands.COMMAND_MODULES`` (in that order), refuses duplicate
names, renders the prompt's COMMANDS list and the ``tools=`` list from the same derived schema,
validates arguments and dispatches. Errors become text for the model; nothing here prints.
"""

from __future__ import annotations

import difflib
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic

from autogpt.errors import AutogptError, CommandError

if TYPE_CHECKING:
    from autogpt.commands.context import CommandContext

log = logging.getLogger(__name__)

Availability = Callable[["CommandContext"], "str | None"]
"""``None`` when the command can run, else the reason it cannot ("Docker is not running")."""

_SPEC_ATTR = "__command_spec__"
_Fn = TypeVar("_Fn", bound=Callable[..., Any])  # a command keeps its own signature


@dataclass(frozen=True)
class Finish:
    """Returned by a command that ends the run successfully (``task_complete``)."""

    reason: str


@dataclass(frozen=True)
class CommandResult:
    """What dispatch hands back to the cycle."""

    name: str
    text: str
    ok: bool
    finish: Finish | None = None
    shown: str | None = None
    """What the user is shown instead of ``text``, when a command gives it (see :class:`Shown`)."""


class Shown(str):
    """A command's result (the text for the model) carrying another text for the user, e.g. a
    program's output labelled as such, so its traceback is never mistaken for the agent's."""

    shown: str

    def __new__(cls, text: str, shown: str) -> Shown:
        result = super().__new__(cls, text)
        result.shown = shown
        return result


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    fn: Callable[..., Any]
    available: Availability | None
    args_model: type[pydantic.BaseModel]
    schema: dict[str, Any] = field(hash=False, compare=False)
    takes_ctx: bool = True
    read_only: bool = False
    """Only reads (an MCP tool whose annotations say ``readOnlyHint``); else it changes things."""
    origin: str | None = None
    """Whose command it is, shown when the user is asked (``MCP server 'time', tool ...``)."""

    @property
    def arg_names(self) -> list[str]:
        return list(self.schema.get("properties", {}))

    def signature_line(self) -> str:
        """`write_to_file: Write text ...; args: filename, text` (optional ones marked `?`)."""
        required = set(self.schema.get("required", []))
        args = ", ".join(a if a in required else f"{a}?" for a in self.arg_names)
        return f"{self.name}: {self.description.rstrip('.')}; args: {args or '(none)'}"

    def tool(self) -> dict[str, Any]:
        """The OpenAI ``tools=`` entry: the same derived schema."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.schema,
            },
        }


def command(
    *, available: Availability | None = None, name: str | None = None
) -> Callable[[_Fn], _Fn]:
    """Declare a command. The function's name, docstring and signature are its whole definition."""

    def decorate(fn: _Fn) -> _Fn:
        setattr(fn, _SPEC_ATTR, build_spec(fn, available=available, name=name))
        return fn

    return decorate


def build_spec(
    fn: Callable[..., Any],
    *,
    available: Availability | None = None,
    name: str | None = None,
) -> CommandSpec:
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    takes_ctx = bool(params) and params[0].name == "ctx"
    fields: dict[str, Any] = {}
    for p in params[1:] if takes_ctx else params:
        annotation = _resolve(p.annotation, fn)
        default = p.default if p.default is not inspect.Parameter.empty else ...
        fields[p.name] = (annotation, default)
    cmd_name = name or fn.__name__
    model = pydantic.create_model(
        f"{cmd_name}_args",
        __config__=pydantic.ConfigDict(extra="forbid"),
        **fields,
    )
    doc = inspect.getdoc(fn) or cmd_name
    description = " ".join(doc.split("\n\n", 1)[0].split())
    return CommandSpec(
        name=cmd_name,
        description=description,
        fn=fn,
        available=available,
        args_model=model,
        schema=_lean(model.model_json_schema()),
        takes_ctx=takes_ctx,
    )


def _resolve(annotation: Any, fn: Callable[..., Any]) -> Any:
    """Annotations are strings under ``from __future__ import annotations``: evaluate them in
    the command's module (only parameters the model fills; ``ctx`` is never evaluated)."""
    if annotation is inspect.Parameter.empty:
        return Any
    if isinstance(annotation, str):
        return eval(annotation, fn.__globals__)
    return annotation


def _lean(schema: Any) -> Any:
    """Drop ``title`` and ``additionalProperties`` keys: they are paid for on every request and
    tell the model nothing (extra arguments are still refused by the validating model)."""
    if isinstance(schema, dict):
        return {
            k: _lean(v)
            for k, v in schema.items()
            if not (k == "title" and isinstance(v, str)) and k != "additionalProperties"
        }
    if isinstance(schema, list):
        return [_lean(v) for v in schema]
    return schema


class Registry:
    """The ordered set of commands of one run."""

    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.register(spec)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> Registry:
        specs = []
        for module in modules:
            for obj in vars(module).values():
                spec = getattr(obj, _SPEC_ATTR, None)
                if isinstance(spec, CommandSpec) and getattr(obj, "__module__", None) == (
                    module.__name__
                ):
                    specs.append(spec)
        return cls(specs)

    def register(self, spec: CommandSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"duplicate command name {spec.name!r}")
        self._specs[spec.name] = spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def get(self, name: str) -> CommandSpec | None:
        return self._specs.get(name)

    def all(self) -> list[CommandSpec]:
        return list(self._specs.values())

    def unavailable_reason(self, spec: CommandSpec, ctx: CommandContext) -> str | None:
        if spec.available is None:
            return None
        try:
            return spec.available(ctx)
        except Exception as exc:  # a broken probe must not kill the run
            log.exception("availability check of %s failed", spec.name)
            return f"availability check failed: {exc}"

    def available(self, ctx: CommandContext) -> list[CommandSpec]:
        """Commands offered to the model this run (unavailable ones leave the prompt)."""
        return [s for s in self._specs.values() if self.unavailable_reason(s, ctx) is None]

    def arg_names(self) -> Mapping[str, list[str]]:
        return {name: spec.arg_names for name, spec in self._specs.items()}

    def suggest(self, name: str, names: Iterable[str] | None = None, n: int = 3) -> list[str]:
        pool = list(names) if names is not None else list(self._specs)
        return difflib.get_close_matches(name.lower(), pool, n=n, cutoff=0.5)

    def dispatch(self, name: str, args: Mapping[str, Any], ctx: CommandContext) -> CommandResult:
        """Validate and run; every failure becomes text for the model."""
        spec = self._specs.get(name)
        if spec is None:
            offered = [s.name for s in self.available(ctx)]
            hint = self.suggest(name, offered)
            text = f"Unknown command '{name}'."
            text += f" Did you mean: {', '.join(hint)}?" if hint else ""
            text += f" Available commands: {', '.join(offered)}."
            return CommandResult(name, f"Error: {text}", ok=False)
        reason = self.unavailable_reason(spec, ctx)
        if reason is not None:
            return CommandResult(name, f"Error: {name} is not available: {reason}", ok=False)
        try:
            kwargs = validate_args(spec, args)
            value = spec.fn(ctx, **kwargs) if spec.takes_ctx else spec.fn(**kwargs)
        except CommandError as exc:
            return CommandResult(name, f"Error: {exc}", ok=False)
        except (KeyboardInterrupt, SystemExit, AutogptError):
            raise  # the run ends (e.g. the model became unavailable inside a page summary)
        except Exception as exc:  # a command bug must not end the run; it is logged
            log.exception("command %s raised", name)
            return CommandResult(name, f"Error: {name} failed: {type(exc).__name__}: {exc}", False)
        if isinstance(value, Finish):
            return CommandResult(name, value.reason, ok=True, finish=value)
        if isinstance(value, Shown):
            return CommandResult(name, str(value), ok=True, shown=value.shown)
        return CommandResult(name, str(value), ok=True)


def validate_args(spec: CommandSpec, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments checked against the derived model; problems named field by field."""
    try:
        model = spec.args_model.model_validate(dict(args))
    except pydantic.ValidationError as exc:
        raise CommandError(f"{spec.name}: {describe_validation_error(exc)}") from None
    return {name: getattr(model, name) for name in spec.args_model.model_fields}


def describe_validation_error(exc: pydantic.ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "arguments"
        kind = err["type"]
        if kind == "missing":
            parts.append(f"missing argument '{loc}'")
        elif kind == "extra_forbidden":
            parts.append(f"unexpected argument '{loc}'")
        else:
            value = repr(err.get("input"))
            if len(value) > 60:
                value = value[:57] + "..."
            parts.append(f"argument '{loc}': {err['msg'].lower()} (got {value})")
    return "; ".join(parts)
