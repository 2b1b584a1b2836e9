"""The layers point one way: ``web/`` and ``sandbox/`` never import ``commands/``.

``commands/`` adapts the web and the sandbox to what a command returns; if a lower package
imported it back, a change to a command's result would reach into the browser or the sandbox.
Every import counts: at module level, inside functions, and under ``TYPE_CHECKING``. Every
module of the package also stays within 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autogpt"
LOWER = ("web", "sandbox", "git")
"""Packages the commands build on: they never import a command."""
FORBIDDEN = "autogpt.commands"
MAX_LINES = 400
"""One concept per module (STYLE.md); a longer one is split by concept."""


def _modules() -> list[Path]:
    return sorted(p for name in LOWER for p in (PACKAGE / name).rglob("*.py"))


def _imported(path: Path, root: Path = PACKAGE.parent) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved against its package."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def _is_forbidden(module: str) -> bool:
    return module == FORBIDDEN or module.startswith(FORBIDDEN + ".")


def test_the_scan_sees_imports_inside_functions_and_under_type_checking(tmp_path: Path) -> None:
    probe = tmp_path / "autogpt" / "web" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from autogpt.commands.context import CommandContext\n"
        "def f() -> None:\n    import autogpt.commands.registry\n"
        "    from ..commands import browse\n"
        "    from autogpt.commandsx import nothing\n",
        encoding="utf-8",
    )
    hits = [m for _, m in _imported(probe, tmp_path) if _is_forbidden(m)]
    assert "autogpt.commands.context" in hits
    assert "autogpt.commands.registry" in hits
    assert "autogpt.commands.browse" in hits  # the relative import, resolved
    assert not any(m.startswith("autogpt.commandsx") for m in hits)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_web_and_sandbox_do_not_import_commands(path: Path) -> None:
    bad = [f"line {line}: {module}" for line, module in _imported(path) if _is_forbidden(module)]
    assert not bad, f"{path.relative_to(PACKAGE)} imports commands/: {bad}"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_every_module_stays_within_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by concept"


def test_the_events_module_imports_nothing_else_of_ours() -> None:
    """The run's record is the foundation: whatever reads it (resume, the report, the JSON-lines
    output, a server) can load it without the rest of the program."""
    path = PACKAGE / "events.py"
    ours = [f"line {n}: {m}" for n, m in _imported(path) if m.split(".")[0] == "autogpt"]
    assert not ours, ours
