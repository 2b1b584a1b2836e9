"""What the terminal shows of a proposal: the labels the reply filled in, and no empty ones
(a tool call often comes with no thoughts at all)."""

from __future__ import annotations

import pytest

from autogpt.agent.events import ProposalShown
from autogpt.reply.parser import Proposal, Thoughts
from autogpt.ui.console import Console
from autogpt.ui.render import Renderer


def _shown(thoughts: Thoughts, capsys: pytest.CaptureFixture[str]) -> str:
    render = Renderer(Console(no_color=True))
    render(ProposalShown("Ada", Proposal(thoughts, "list_files", {"directory": "."})))
    return capsys.readouterr().out


def test_a_tool_call_without_thoughts_shows_only_the_next_action(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _shown(Thoughts(), capsys)
    assert "NEXT ACTION:" in out and "list_files" in out
    for label in ("THOUGHTS:", "REASONING:", "CRITICISM:", "PLAN:", "SPEAK:"):
        assert label not in out


def test_the_thoughts_given_are_shown_under_their_labels(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _shown(Thoughts(text="look first", criticism="be quick", plan=("a", "b")), capsys)
    assert "ADA THOUGHTS: look first" in out
    assert "CRITICISM: be quick" in out and "-  a" in out
    assert "REASONING:" not in out
