"""permissions.yaml: read with the line of a mistake; a saved rule keeps the rest of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from autogpt.agent.permissions import Rule
from autogpt.agent.permissions_file import add_allowed, load
from autogpt.errors import ConfigError


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "permissions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_three_lists_are_read(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "# mine\nallow:\n  - read_file\n  - 'execute_shell(ls *)'\nask: [mcp__time__*]\n"
        "deny: delete_file\n",
    )
    rules = load(path)
    assert [r.text for r in rules.allow] == ["read_file", "execute_shell(ls *)"]
    assert [r.text for r in rules.ask] == ["mcp__time__*"]
    assert [r.text for r in rules.deny] == ["delete_file"]
    assert rules.source == str(path)


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "allow:\ndeny: []\n"])
def test_an_empty_file_or_list_means_no_rules(tmp_path: Path, text: str) -> None:
    assert load(_file(tmp_path, text)).is_empty()


def test_a_missing_file_means_no_rules(tmp_path: Path) -> None:
    assert load(tmp_path / "permissions.yaml").is_empty()


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("allow:\n  - read_file\n  - 'execute_shell(ls'\n", 3, "closing ')'"),
        ("allow: [read_file]\nalow: [x]\n", 2, "unknown key 'alow'"),
        ("allow:\n  - read_file\n deny: [x]\n", 3, "not valid YAML"),
        ("allow:\n  - {a: 1}\n", 2, "a rule is one text"),
        ("allow: {read_file: true}\n", 1, "must be a list"),
        ("- read_file\n", 1, "allow:, ask: and deny:"),
        ("allow: [a]\nallow: [b]\n", 2, "given twice"),
    ],
)
def test_a_mistake_names_the_file_and_line(tmp_path: Path, text: str, line: int, hint: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert caught.value.message.startswith(f"{path}, line {line}: ")
    assert hint in caught.value.message


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "permissions.yaml"
    path.write_bytes(b"allow: [\xff]\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(path)


@pytest.mark.parametrize(
    "text",
    [
        "# my rules\nallow:\n  - read_file   # reading is fine\n\ndeny:\n  - delete_file\n",
        "deny: [delete_file]\nallow: [read_file]  # inline\n",
        "allow: read_file\ndeny: [delete_file]\n",
        "allow:\n# none yet\ndeny: [delete_file]\n",
        "allow: ~\ndeny: [delete_file]\n",
        "deny:\n- delete_file\n",
        "deny: [delete_file]",
    ],
)
def test_a_saved_rule_joins_allow_and_the_rest_of_the_file_stays(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, text)
    before = load(path)
    add_allowed(path, Rule.parse("execute_shell(ls *)"))
    after = load(path)
    assert [r.text for r in after.allow] == [r.text for r in before.allow] + ["execute_shell(ls *)"]
    assert after.deny == before.deny
    saved = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith("#") or "inline" in line:
            assert line.split("#")[1] in saved


def test_saving_creates_the_file_and_a_rule_already_there_is_not_added_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "permissions.yaml"
    add_allowed(path, Rule.parse("mcp__time__*"))
    add_allowed(path, Rule.parse("mcp__time__*"))
    assert [r.text for r in load(path).allow] == ["mcp__time__*"]
    assert not list(tmp_path.glob(".permissions.yaml.*"))  # no temporary file left
