"""Command and argument aliases. Pure data and lookups.

Models rename things: ``google`` for ``web_search``, ``path`` for ``filename``. An alias is applied
only when its target is a known command (or an argument the command takes) and the name the model
used is not itself known, so a real command or argument always wins over a guess. Unknown names
pass through unchanged, for the registry to report with "Did you mean ...?" suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

# target command -> names models use for it (folded: lower case, words joined by "_")
_COMMAND_ALIASES: dict[str, str] = {
    "web_search": "google search duckduckgo_search google_search search_web websearch"
    " internet_search bing_search search_internet",
    "task_complete": "shutdown finish done complete exit quit finished task_completed task_done"
    " complete_task finish_task",
    "list_files": "search_files list_directory ls list_dir listdir list_folder dir list_file",
    "write_to_file": "write_file create_file save_file write save_to_file",
    "append_to_file": "append_file append append_to",
    "read_file": "read open_file cat read_from_file view_file readfile",
    "delete_file": "remove_file rm delete remove del",
    "browse_website": "browse browse_web open_url visit_website open_website browse_url visit_url"
    " fetch_url browse_page",
    "execute_python_file": "execute_python run_python_file run_python python",
    "execute_shell": "shell run_shell bash run_command execute_command shell_command exec",
    "clone_repository": "git_clone clone clone_repo",
}

# target argument -> names models use for it, in order of preference
_ARGUMENT_ALIASES: dict[str, tuple[str, ...]] = {
    target: tuple(aliases.split())
    for target, aliases in {
        "filename": "path file file_path filepath file_name name fname",
        "text": "content contents data body body_text file_content string",
        "directory": "dir folder path dirname directory_path folder_path dir_path",
        "url": "link website uri href web_url website_url repository_url repo_url repository repo",
        "query": "q search search_query question keywords search_term term",
        "question": "query prompt information info",
        "reason": "message summary explanation result response",
        "num_results": "n count max_results number_of_results results",
        "code": "source source_code script",
        "command_line": "command cmd shell_command",
        "clone_path": "path directory dir folder destination target local_path",
    }.items()
}

_COMMAND_ALIAS_TARGET = {
    alias: target for target, aliases in _COMMAND_ALIASES.items() for alias in aliases.split()
}


def fold(name: str) -> str:
    """Case- and separator-free form: ``Write-To-File`` or ``writeToFile`` -> ``write_to_file``.

    Also drops quotes and the ``functions.`` prefix some models copy from the tool-call format."""
    name = name.strip().strip("`'\"").strip()
    name = name.removeprefix("functions.")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[\s\-.]+", "_", name).strip("_").lower()


def canonical_command(name: str, known: Collection[str]) -> tuple[str, str | None]:
    """The known command ``name`` means, and a note saying what was renamed (or None).

    Unknown names come back as given (trimmed), for the registry to report with suggestions."""
    name = name.strip()
    if name in known:
        return name, None
    folded = fold(name)
    if folded in known:
        return folded, f"command name {name!r} -> {folded}"
    target = _COMMAND_ALIAS_TARGET.get(folded)
    if target is not None and target in known:
        return target, f"command alias {folded} -> {target}"
    return name, None


def canonical_args(
    args: Mapping[str, Any], params: Sequence[str] | None
) -> tuple[dict[str, Any], list[str]]:
    """Rename argument keys to the command's own names; returns the new args and notes.

    A key is renamed only when the command does not take it, takes the target, and the target is
    not already given. Keys that match nothing, and the args of an unknown command (``params`` is
    None), are left as they are for the registry to judge."""
    out = dict(args)
    notes: list[str] = []
    if params is None:
        return out, notes
    wanted = set(params)
    for target in params:
        if target in out:
            continue
        loose = {fold(k): k for k in out if k not in wanted}  # "File-Name" -> "file_name"
        squeezed = {f.replace("_", ""): k for f, k in loose.items()}
        key = loose.get(target) or squeezed.get(target.replace("_", ""))
        if key is not None:
            notes.append(f"argument name {key!r} -> {target}")
        else:
            aliases = _ARGUMENT_ALIASES.get(target, ())
            key = next((loose[a] for a in aliases if a in loose), None)
            if key is None:
                continue
            notes.append(f"argument alias {key} -> {target}")
        out[target] = out.pop(key)
    return out, notes
