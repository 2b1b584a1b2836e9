from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field

from autogpt.commands import load_command_modules
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import CommandSpec, Registry, build_spec, command
from autogpt.config.settings import Settings
from autogpt.errors import CommandError
from autogpt.workspace import Workspace


@pytest.fixture
def registry() -> Registry:
    return Registry.from_modules(load_command_modules())


@pytest.fixture
def ctx(tmp_path: Path) -> CommandContext:
    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    return CommandContext(workspace=ws, settings=Settings())


def _spec(registry: Registry, name: str) -> CommandSpec:
    spec = registry.get(name)
    assert spec is not None, f"no command {name!r}"
    return spec


def test_write_to_file_schema_is_derived_from_signature(registry: Registry) -> None:
    assert _spec(registry, "write_to_file").schema == {
        "properties": {
            "filename": {"description": "path relative to the workspace", "type": "string"},
            "text": {"type": "string"},
        },
        "required": ["filename", "text"],
        "type": "object",
    }


def test_read_file_schema_has_optional_offset_and_limit(registry: Registry) -> None:
    assert _spec(registry, "read_file").schema == {
        "properties": {
            "filename": {"description": "path relative to the workspace", "type": "string"},
            "offset": {
                "default": 0,
                "description": "first character to read",
                "minimum": 0,
                "type": "integer",
            },
            "limit": {
                "default": 0,
                "description": "how many characters; 0: all that fit",
                "minimum": 0,
                "type": "integer",
            },
        },
        "required": ["filename"],
        "type": "object",
    }


def test_task_complete_schema(registry: Registry) -> None:
    spec = _spec(registry, "task_complete")
    assert spec.schema == {
        "properties": {"reason": {"type": "string"}},
        "required": ["reason"],
        "type": "object",
    }
    assert spec.tool()["function"]["description"] == (
        "Finish the run when all goals are done; give the reason."
    )


def test_schemas_carry_no_title_or_additional_properties_keys(registry: Registry) -> None:
    text = str([spec.tool() for spec in registry.all()])
    assert "'title'" not in text and "additionalProperties" not in text


def test_duplicate_command_name_is_refused_at_start_up() -> None:
    def f(ctx: CommandContext, a: str) -> str:
        """One."""
        return a

    spec = build_spec(f)
    with pytest.raises(ValueError, match="duplicate command name 'f'"):
        Registry([spec, spec])


def test_missing_argument_is_named(registry: Registry, ctx: CommandContext) -> None:
    result = registry.dispatch("write_to_file", {"filename": "a.txt"}, ctx)
    assert not result.ok
    assert result.text == "Error: write_to_file: missing argument 'text'"


def test_extra_argument_is_named(registry: Registry, ctx: CommandContext) -> None:
    result = registry.dispatch("list_files", {"directory": ".", "recursive": True}, ctx)
    assert "unexpected argument 'recursive'" in result.text


def test_wrong_type_is_named_and_lax_numbers_are_coerced(
    registry: Registry, ctx: CommandContext
) -> None:
    ctx.workspace.write_text("a.txt", "hello world")
    bad = registry.dispatch("read_file", {"filename": "a.txt", "offset": "abc"}, ctx)
    assert "argument 'offset'" in bad.text and not bad.ok
    good = registry.dispatch("read_file", {"filename": "a.txt", "offset": "6"}, ctx)
    assert good.text == "world"


def test_unknown_command_lists_close_matches(registry: Registry, ctx: CommandContext) -> None:
    result = registry.dispatch("write_file", {}, ctx)
    assert result.text.startswith("Error: Unknown command 'write_file'. Did you mean: ")
    assert "write_to_file" in result.text


def test_command_error_becomes_text_and_bug_is_contained(ctx: CommandContext) -> None:
    @command()
    def boom(ctx: CommandContext, x: Annotated[int, Field(ge=0)] = 0) -> str:
        """Fails."""
        if x:
            raise CommandError("it broke on purpose")
        raise RuntimeError("unexpected")

    reg = Registry([vars(boom)["__command_spec__"]])
    assert reg.dispatch("boom", {"x": 1}, ctx).text == "Error: it broke on purpose"
    assert "RuntimeError: unexpected" in reg.dispatch("boom", {}, ctx).text


def test_unavailable_command_leaves_the_prompt_and_says_why(ctx: CommandContext) -> None:
    @command(available=lambda c: "Docker is not running")
    def needs_docker(ctx: CommandContext) -> str:
        """Needs Docker."""
        return "ran"

    reg = Registry([vars(needs_docker)["__command_spec__"]])
    assert reg.available(ctx) == []
    assert reg.dispatch("needs_docker", {}, ctx).text == (
        "Error: needs_docker is not available: Docker is not running"
    )
