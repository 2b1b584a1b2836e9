"""The console without a terminal: plain lines are read, and what the terminal would have
interpreted (escape sequences, control characters) never reaches a saved answer."""

from __future__ import annotations

import subprocess
import sys

ASK = (
    "from autogpt.ui.console import Console\n"
    "import json, sys\n"
    "c = Console(no_color=True)\n"
    "print(json.dumps([c.ask('', 'Goal 1: '), c.ask('', 'Goal 2: ')]), file=sys.stderr)\n"
)


def _answers(stdin: str) -> list[str]:
    import json

    done = subprocess.run(
        [sys.executable, "-c", ASK],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    assert done.stdout == "Goal 1: Goal 2: "
    answers: list[str] = json.loads(done.stderr)
    return answers


def test_piped_answers_lose_escape_sequences_and_control_characters() -> None:
    assert _answers("写报告\x1b[D\x1b[C好\n\x07second\x1b]0;title\x07 goal\n") == [
        "写报告好",
        "second goal",
    ]


def test_waits_inside_a_wait_give_the_outer_label_back() -> None:
    from autogpt.ui.console import Console

    console = Console(no_color=True)
    console.start_spinner("Running read_file...")
    with console.waiting("Embedding for long-term memory..."):
        assert [label for label, _ in console._waiting.waits][-1].startswith("Embedding")
    assert [label for label, _ in console._waiting.waits] == ["Running read_file..."]
    console.stop_spinner()
    with console.waiting("Checking the key..."):
        pass
    assert console._waiting.waits == []
