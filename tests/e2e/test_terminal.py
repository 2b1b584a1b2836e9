"""The terminal a user expects, on a pseudo-terminal: line editing and history at the prompts,
answers acknowledged, Ctrl-D on a new line, a spinner with seconds during every wait."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.e2e.harness import agent_env, spawn_agent, write_profile
from tests.e2e.scripted import Router, is_summary
from tests.support.model_script import RequestRecord, Step, autogpt_reply, delay, streamed
from tests.support.model_server import ModelServer
from tests.support.system import need

LEFT, UP, BACKSPACE = "\x1b[D", "\x1b[A", "\x7f"
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


def _shown(text: str | None) -> str:
    """What a terminal shows of ``text``, roughly: escapes removed, carriage returns as lines."""
    return ESCAPES.sub("", text or "").replace("\r", "\n")


def _finish(child: pexpect.spawn[str]) -> int | None:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_setup_prompts_edit_chinese_with_backspace_and_arrows_and_recall_history(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    child = spawn_agent(model_server)
    child.expect("AI Name:")
    child.send(f"市场{BACKSPACE}规划{LEFT}经理\r")  # 场 erased; 经理 typed before 划
    child.expect("is:")
    child.send(f"帮助公司{LEFT}{LEFT}{BACKSPACE}\r")  # the character before 公司 erased
    child.expect("Goal 1:")
    child.send("写一篇冰淇淋报告\r")
    child.expect("Goal 2:")
    child.send(f"{UP}{BACKSPACE}{BACKSPACE}摘要\r")  # history: Goal 1's answer, edited
    child.expect("Goal 3:")
    child.send("\r")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0
    saved = yaml.safe_load((tmp_path / "ai_settings.yaml").read_text(encoding="utf-8"))
    assert saved["ai_name"] == "市规经理划"
    assert saved["ai_role"] == "帮公司"
    assert saved["ai_goals"] == ["写一篇冰淇淋报告", "写一篇冰淇淋摘要"]


@pytest.mark.parametrize(
    ("answer", "acknowledged", "shown_instead"),
    [
        ("y", "COMMAND AUTHORISED BY USER", "SYSTEM: Command write_to_file"),
        ("请用中文写", "Feedback noted", "THOUGHTS:"),
    ],
    ids=["plain-y-shows-the-authorised-line", "feedback-is-acknowledged"],
)
def test_an_answer_is_acknowledged_on_screen(
    model_server: ModelServer,
    tmp_path: Path,
    workspace: Path,
    answer: str,
    acknowledged: str,
    shown_instead: str,
) -> None:
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(model_server, "-y")
    child.expect("Input:")
    child.sendline(answer)
    child.expect([acknowledged, shown_instead])
    assert child.after == acknowledged
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0


def test_ctrl_d_at_a_prompt_ends_on_a_new_line(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"})])
    child = spawn_agent(model_server, "-y")
    child.expect("Input:")
    child.sendeof()
    child.expect(r"WARNING: Stopped \(input_closed\)")
    assert _shown(child.before).rstrip(" ").endswith("\n")
    assert _finish(child) == 3


def test_a_slow_command_shows_a_spinner_with_elapsed_seconds(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    need(shutil.which("bwrap") is not None, "bubblewrap is not installed")
    write_profile(tmp_path)
    model_server.script(
        [
            autogpt_reply("execute_shell", {"command_line": "sleep 3"}),
            autogpt_reply("task_complete", {"reason": "done"}),
        ]
    )
    child = spawn_agent(
        model_server,
        "-y",
        env=agent_env(
            model_server,
            EXECUTE_LOCAL_COMMANDS="True",
            SHELL_ALLOWLIST="sleep",
            EXECUTION_BACKEND="local",
            TERM="xterm",
        ),
    )
    child.expect("Input:")
    child.sendline("y")
    child.expect(r"Running execute_shell\.\.\. \(2 s\)")
    child.expect("SYSTEM: Command execute_shell")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0


def test_a_slow_model_reply_shows_a_spinner_with_elapsed_seconds(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.script([delay(3, then=autogpt_reply("task_complete", {"reason": "done"}))])
    child = spawn_agent(model_server, "-y", env=agent_env(model_server, TERM="xterm"))
    child.expect(r"Thinking\.\.\. \(2 s\)")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0


def test_a_streamed_reply_shows_its_thoughts_as_they_arrive_then_the_proposal(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    thought = "Everything is written, so I will finish the task now."
    step = autogpt_reply("task_complete", {"reason": "done"}, text=thought)
    model_server.script([streamed(step, chunk_chars=6, chunk_delay=0.05)])
    child = spawn_agent(model_server, "-y", env=agent_env(model_server, TERM="xterm"))
    child.expect("THOUGHTS SO FAR: Everything is")  # while the reply is still coming
    child.expect("THOUGHTS:")  # the proposal, once the reply is whole
    child.expect("NEXT ACTION:")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0


def _keyless_env(server: ModelServer | None, **extra: str) -> dict[str, str]:
    env = agent_env(server, **extra)
    env.pop("OPENAI_API_KEY", None)
    return env


def test_the_key_prompt_hides_the_key_asks_again_after_a_401_and_saves_a_working_key(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(api_key="sk-right-4f2a")
    server.script([autogpt_reply("task_complete", {"reason": "done"})])
    write_profile(tmp_path)
    child = spawn_agent(server, "-y", env=_keyless_env(server))
    child.expect("needs an API key")
    child.expect("OPENAI_API_KEY:")
    child.sendline("sk-wrong-77c1")
    child.expect("refused this key")
    child.expect("OPENAI_API_KEY:")
    child.sendline("sk-right-4f2a")
    child.expect("The key works")
    child.expect(r"Save it to \.env\?")
    shown = child.before
    assert shown is not None
    child.sendline("y")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0
    assert (tmp_path / ".env").read_text(encoding="utf-8") == "OPENAI_API_KEY=sk-right-4f2a\n"
    assert "sk-wrong" not in shown and "sk-right" not in shown
    sent = [r.headers.get("authorization") for r in server.other_requests]
    assert sent[-2:] == ["Bearer sk-wrong-77c1", "Bearer sk-right-4f2a"]


def test_an_unreachable_endpoint_is_said_and_saving_the_key_is_offered_anyway(
    tmp_path: Path, workspace: Path
) -> None:
    """The default endpoint (api.openai.com) is made unreachable by a proxy on a closed local
    port, so nothing leaves the machine."""
    write_profile(tmp_path)
    env = _keyless_env(None, HTTPS_PROXY="http://127.0.0.1:9", OPENAI_MAX_RETRIES="0")
    child = spawn_agent(None, "-y", env=env)
    child.expect("No OPENAI_API_KEY is set")
    child.expect("OPENAI_API_KEY:")
    child.sendline("sk-offline-9d3e")
    child.expect(
        "The key could not be checked: The model at https://api.openai.com/v1 could not be reached"
    )
    child.expect(r"Save it to \.env anyway\?")
    shown = child.before
    assert shown is not None
    child.sendline("y")
    child.expect("could not be reached")  # the run itself then stops, saved
    assert _finish(child) == 3
    assert "sk-offline" not in shown
    assert "OPENAI_API_KEY=sk-offline-9d3e" in (tmp_path / ".env").read_text(encoding="utf-8")


def test_slow_embeddings_after_feedback_show_a_spinner_with_elapsed_seconds(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    server = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"}),
        autogpt_reply("write_to_file", {"filename": "b.txt", "text": "y"}),
        autogpt_reply("task_complete", {"reason": "done"}),
        embedding_delay=3,
    )
    write_profile(tmp_path)
    child = spawn_agent(server, "-y", env=agent_env(server, MEMORY_BACKEND="local", TERM="xterm"))
    child.logfile_read = screen = io.StringIO()
    child.expect("Input:")
    child.sendline("y")
    child.expect("SYSTEM: Command write_to_file")
    child.expect(r"Embedding for long-term memory\.\.\. \(2 s\)")  # the result is stored
    child.expect("Input:")
    child.sendline("write it in Chinese")
    child.expect("Feedback noted")
    # The next prompt recalls memories for the feedback: a slow embeddings request again.
    child.expect(r"Embedding for long-term memory\.\.\. \(2 s\)")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0
    assert len(server.embedding_requests) >= 2
    assert "cursor position requests" not in screen.getvalue()  # prompts wait for no reply


def test_a_slow_summary_shows_a_spinner_with_elapsed_seconds(
    model_server_factory: Callable[..., ModelServer], tmp_path: Path, workspace: Path
) -> None:
    for i in range(3):
        (workspace / f"part{i}.txt").write_text(
            f"Part {i}. " + "ice cream sales " * 128, encoding="utf-8"
        )
    router = Router(
        [autogpt_reply("read_file", {"filename": f"part{i}.txt"}) for i in range(3)]
        + [autogpt_reply("task_complete", {"reason": "read everything"})]
    )

    def slow_summaries(record: RequestRecord) -> Step:
        step = router(record)
        return delay(3, then=step) if is_summary(record) else step

    slow_summaries.__name__ = "slow_summaries"
    server = model_server_factory(slow_summaries, context_window=4097, loop=True)
    write_profile(tmp_path)
    child = spawn_agent(
        server,
        "-c",
        "-l",
        "10",
        "-y",
        env=agent_env(
            server, FAST_LLM_MODEL="gpt-3.5-turbo-0613", FAST_TOKEN_LIMIT="1500", TERM="xterm"
        ),
    )
    child.expect(r"Summarising older history\.\.\. \(2 s\)")
    assert _finish(child) == 0
    assert router.summaries >= 1 and router.main_left == 0


def test_empty_name_and_role_at_the_prompts_show_the_defaults_used(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    model_server.script([autogpt_reply("task_complete", {"reason": "done"})])
    child = spawn_agent(model_server)
    child.expect("AI Name:")
    child.sendline("")
    child.expect("Using the default name: Entrepreneur-GPT")
    child.expect("is:")
    child.sendline("")
    child.expect("Using the default role: Entrepreneur-GPT is an AI designed to autonomously")
    child.expect("Goal 1:")
    child.sendline("")
    child.expect("using the default goals: Increase net worth;")
    child.expect("Input:")
    child.sendline("y")
    assert _finish(child) == 0
