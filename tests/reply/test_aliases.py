"""Command and argument aliases and name folding."""

from __future__ import annotations

import pytest

from autogpt.reply.aliases import canonical_args, canonical_command, fold

KNOWN = [
    "clone_repository",
    "read_file",
    "write_to_file",
    "append_to_file",
    "delete_file",
    "list_files",
    "web_search",
    "browse_website",
    "execute_python_file",
    "task_complete",
]


@pytest.mark.parametrize(
    ("given", "folded"),
    [
        ("Write-To-File", "write_to_file"),
        ("writeToFile", "write_to_file"),
        ("  READ FILE ", "read_file"),
        ("`read_file`", "read_file"),
        ("functions.list_files", "list_files"),
    ],
)
def test_fold_ignores_case_separators_quotes_and_prefix(given: str, folded: str) -> None:
    assert fold(given) == folded


@pytest.mark.parametrize(
    ("alias", "target"),
    [
        ("google", "web_search"),
        ("duckduckgo_search", "web_search"),
        ("search", "web_search"),
        ("shutdown", "task_complete"),
        ("finish", "task_complete"),
        ("done", "task_complete"),
        ("complete", "task_complete"),
        ("exit", "task_complete"),
        ("search_files", "list_files"),
        ("list_directory", "list_files"),
        ("ls", "list_files"),
        ("write_file", "write_to_file"),
        ("create_file", "write_to_file"),
        ("save_file", "write_to_file"),
        ("append_file", "append_to_file"),
        ("read", "read_file"),
        ("open_file", "read_file"),
        ("cat", "read_file"),
        ("remove_file", "delete_file"),
        ("rm", "delete_file"),
        ("browse", "browse_website"),
        ("browse_web", "browse_website"),
        ("open_url", "browse_website"),
        ("execute_python", "execute_python_file"),
        ("run_python_file", "execute_python_file"),
        ("Google", "web_search"),
        ("git_clone", "clone_repository"),
        ("clone", "clone_repository"),
    ],
)
def test_command_alias_maps_to_its_target(alias: str, target: str) -> None:
    command, note = canonical_command(alias, KNOWN)
    assert command == target
    assert note is not None


def test_known_command_is_returned_without_a_note() -> None:
    assert canonical_command("read_file", KNOWN) == ("read_file", None)


def test_unknown_command_is_returned_as_given() -> None:
    assert canonical_command(" Execute_Shell ", KNOWN) == ("Execute_Shell", None)


def test_alias_whose_target_is_not_registered_is_not_applied() -> None:
    assert canonical_command("bash", KNOWN) == ("bash", None)


@pytest.mark.parametrize(
    ("given", "params", "expected"),
    [
        ({"path": "a"}, ["filename", "text"], {"filename": "a"}),
        ({"file_path": "a", "contents": "b"}, ["filename", "text"], {"filename": "a", "text": "b"}),
        ({"path": "d"}, ["directory"], {"directory": "d"}),
        ({"folder": "d"}, ["directory"], {"directory": "d"}),
        ({"link": "http://x"}, ["url", "question"], {"url": "http://x"}),
        ({"q": "x"}, ["query", "num_results"], {"query": "x"}),
        ({"search_query": "x"}, ["query"], {"query": "x"}),
        ({"query": "what"}, ["url", "question"], {"question": "what"}),
        ({"FileName": "a"}, ["filename"], {"filename": "a"}),
        ({"file-name": "a"}, ["filename"], {"filename": "a"}),
        # Auto-GPT 0.2.2's clone_repository took repository_url
        (
            {"repository_url": "u", "path": "d"},
            ["url", "clone_path"],
            {"url": "u", "clone_path": "d"},
        ),
    ],
)
def test_argument_alias_maps_to_the_commands_own_name(
    given: dict[str, str], params: list[str], expected: dict[str, str]
) -> None:
    args, notes = canonical_args(given, params)
    assert args == expected
    assert len(notes) == len(expected)


def test_argument_alias_skipped_when_command_takes_the_alias_name() -> None:
    assert canonical_args({"name": "x"}, ["name", "filename"]) == ({"name": "x"}, [])


def test_argument_alias_skipped_when_target_already_given() -> None:
    assert canonical_args({"filename": "a", "file": "b"}, ["filename"]) == (
        {"filename": "a", "file": "b"},
        [],
    )


def test_arguments_of_unknown_command_are_left_alone() -> None:
    assert canonical_args({"path": "a"}, None) == ({"path": "a"}, [])


def test_canonical_args_does_not_change_its_input() -> None:
    given = {"path": "a"}
    canonical_args(given, ["filename"])
    assert given == {"path": "a"}
