"""Permission rules (permissions.yaml) from the outside: the agent on a pseudo-terminal (manual
mode) and as a subprocess (continuous mode) against the scripted model server."""

from __future__ import annotations

from pathlib import Path

import pexpect

from tests.e2e.harness import agent_env, run_agent, spawn_agent, write_profile
from tests.support.model_script import autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer

RULES = "# my rules\nallow:\n  - list_files\ndeny: [delete_file, 'mcp__time__*']\n"


def _rules(folder: Path, text: str = RULES, name: str = "permissions.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _answer(child: pexpect.spawn[str], text: str, *, after: str = "") -> None:
    """Waits for ``after`` (exact text) to be shown, then answers the next ``Input:``."""
    if after:
        child.expect_exact(after)
    child.expect("Input:")
    child.sendline(text)


def _finish(child: pexpect.spawn[str]) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus or 0)


def _last_message(server: ModelServer, index: int) -> str:
    return str(server.requests[index].messages[-1]["content"])


def test_an_allowed_command_runs_without_asking_in_manual_mode(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path)
    model_server.script(
        [
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    child.expect_exact("Allowed without asking by the rule 'list_files' (in permissions.yaml)")
    # The first question is about write_to_file: list_files already ran.
    _answer(child, "y", after="COMMAND = write_to_file")
    assert len(model_server.requests) == 2
    assert _last_message(model_server, 1).startswith("Command list_files returned:")
    _answer(child, "y")
    assert _finish(child) == 0
    assert (workspace / "a.txt").exists()


def test_the_rules_in_force_are_shown_on_the_start_up_screen(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path)
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    screen = done.stdout.split("Model:", 1)[0]
    assert "Permission rules (permissions.yaml; deny > ask > allow):" in screen
    assert "deny: delete_file, mcp__time__*" in screen
    assert "allow: list_files" in screen


def test_a_denied_command_never_runs_in_continuous_mode_and_the_model_is_told(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (workspace / "keep.txt").write_text("keep", encoding="utf-8")
    _rules(tmp_path, "deny:\n  - delete_file\n  - mcp__time__*\n", name="my_rules.yaml")
    model_server.script(
        [
            autogpt_reply("delete_file", {"filename": "keep.txt"}),
            autogpt_reply("mcp__time__get_current_time", {"timezone": "Asia/Shanghai"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    env = agent_env(model_server, PERMISSIONS_FILE="my_rules.yaml")
    done = run_agent(model_server, "-c", "-l", "5", "-y", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (workspace / "keep.txt").read_text(encoding="utf-8") == "keep"
    told = _last_message(model_server, 1)
    assert told.startswith("Command delete_file returned: Error: delete_file is denied")
    assert "'delete_file'" in told
    # A tool name of an MCP server (none is connected here) is matched by its pattern too:
    # the rule answers before the registry would call it unknown.
    told = _last_message(model_server, 2)
    assert "mcp__time__get_current_time is denied by the user's permission rule" in told
    assert "Unknown command" not in told
    assert "Traceback" not in done.stderr


def test_a_denied_tool_call_is_answered_as_a_failed_tool_result(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path, "deny: ['write_to_file(*.exe)']\n")
    model_server.script(
        [
            tool_call_reply("write_to_file", {"filename": "tool.exe", "text": "x"}),
            tool_call_reply("write_to_file", {"filename": "notes.txt", "text": "y"}),
            tool_call_reply("task_complete", {"reason": "done"}),
        ]
    )
    env = agent_env(model_server, OPENAI_FUNCTIONS="true")
    done = run_agent(model_server, "-c", "-l", "5", "-y", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (workspace / "tool.exe").exists()
    assert (workspace / "notes.txt").exists()
    results = [m for m in model_server.requests[1].messages if m["role"] == "tool"]
    assert len(results) == 1
    result = results[0]
    assert "write_to_file is denied by the user's permission rule 'write_to_file(*.exe)'" in str(
        result["content"]
    )


def test_a_denied_command_never_runs_inside_a_y_dash_n_run(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    (workspace / "keep.txt").write_text("keep", encoding="utf-8")
    _rules(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("delete_file", {"filename": "keep.txt"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    _answer(child, "y -5")
    assert _finish(child) == 0
    assert (workspace / "keep.txt").exists()
    assert "delete_file is denied" in _last_message(model_server, 2)


def test_an_ask_rule_is_asked_even_in_continuous_mode(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path, "ask: ['write_to_file(important/*)']\n")
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "notes.txt", "text": "x"}),
            autogpt_reply("write_to_file", {"filename": "./important/plan.txt", "text": "y"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-c", "-l", "5", "-y")
    child.expect_exact("Asked every time: the rule 'write_to_file(important/*)'")
    assert (workspace / "notes.txt").exists()  # the first write ran without asking
    child.expect_exact("Enter 'y' to authorise command")
    child.expect_exact("'n' to exit program")
    assert "'a' to always allow" not in str(child.before)
    _answer(child, "a")  # not offered under an ask rule: asked again
    _answer(child, "y", after="'a' is not offered here")
    assert _finish(child) == 0
    assert (workspace / "important" / "plan.txt").read_text(encoding="utf-8") == "y"


def test_always_allow_holds_for_the_session_and_is_saved_keeping_the_file(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    rules = _rules(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("write_to_file", {"filename": "b.txt", "text": "y"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    _answer(child, "a", after="'a' to always allow write_to_file")
    _answer(child, "y", after="Save 'write_to_file' to permissions.yaml for later runs too? (y/n)")
    child.expect_exact("Allowed without asking by the rule 'write_to_file' (granted this session)")
    _answer(child, "y", after="COMMAND = task_complete")  # b.txt was written without asking
    assert len(model_server.requests) == 3
    assert _finish(child) == 0
    assert (workspace / "b.txt").exists()
    saved = rules.read_text(encoding="utf-8")
    assert saved.startswith("# my rules\nallow:\n  - list_files\n")
    assert '  - "write_to_file"\n' in saved
    assert "deny: [delete_file, 'mcp__time__*']" in saved


def test_a_resumed_run_keeps_the_rules_granted_at_the_prompt(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("list_files", {"directory": "."}),
            autogpt_reply("write_to_file", {"filename": "b.txt", "text": "y"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    _answer(child, "a")
    _answer(child, "n", after="Save 'write_to_file'")  # not saved: this session only
    _answer(child, "n", after="COMMAND = list_files")  # exit
    assert _finish(child) == 0
    assert not (tmp_path / "permissions.yaml").exists()
    child = spawn_agent(model_server, "--resume")
    child.expect("allowed this session: write_to_file")
    child.expect_exact("Allowed without asking by the rule 'write_to_file' (granted this session)")
    _answer(child, "y", after="COMMAND = task_complete")  # b.txt was written without asking
    assert len(model_server.requests) == 4
    assert _finish(child) == 0
    assert (workspace / "b.txt").exists()


def test_a_malformed_rules_file_stops_the_start_with_its_name_and_line(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path, "allow:\n  - read_file\n  - execute_shell(ls\n")
    done = run_agent(model_server, "-c", "-l", "3", "-y")
    assert done.returncode == 2
    output = done.stdout + done.stderr
    assert "permissions.yaml, line 3: 'execute_shell(ls': a rule is NAME or NAME(PATTERN)" in output
    assert "Traceback" not in output
    assert model_server.requests == []


def test_an_ask_rule_without_a_terminal_ends_a_continuous_run_saved(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    _rules(tmp_path, "ask: [write_to_file]\n")
    model_server.script([autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"})])
    done = run_agent(model_server, "-c", "-l", "5", "-y", stdin="")
    assert done.returncode == 3, done.stdout + done.stderr
    assert not (workspace / "a.txt").exists()
    assert "Input closed" in done.stdout
    assert "Resume with:" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
