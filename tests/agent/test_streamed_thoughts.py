"""The main request streams its reply to the screen: each piece is a display update
(``ThoughtDelta``), never a recorded event, and the proposal comes once the reply is whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autogpt.agent.events import ProposalShown, ThoughtDelta
from autogpt.journal.journal import JOURNAL, read_events
from tests.agent.run_parts import Parts
from tests.support.model_script import autogpt_reply, streamed
from tests.support.model_server import ModelServer


def test_the_reply_streams_to_the_screen_as_display_updates_never_recorded(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    step = autogpt_reply("write_to_file", {"filename": "a.txt", "text": "hi"}, text="Streaming.")
    server = model_server_factory(streamed(step, chunk_chars=6))
    parts = make_parts(tmp_path, server.base_url)
    assert parts.agent.step().kind == "continue"
    deltas = [e for e in parts.shown if isinstance(e, ThoughtDelta)]
    assert len(deltas) > 3
    assert deltas[-1].text == step.text
    proposal = next(i for i, e in enumerate(parts.shown) if isinstance(e, ProposalShown))
    assert proposal > parts.shown.index(deltas[-1])  # the proposal comes once it is whole
    recorded = [str(r["type"]) for r in read_events(tmp_path / "session" / JOURNAL).events]
    assert "thought_delta" not in recorded and len(recorded) == 5
    assert server.requests[0].body["stream"] is True


def test_without_a_live_view_the_reply_still_streams_but_shows_no_display_updates(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    """The server's tasks return whole steps: nobody watches a reply stream in."""
    step = autogpt_reply("write_to_file", {"filename": "a.txt", "text": "hi"}, text="Streaming.")
    server = model_server_factory(streamed(step, chunk_chars=6))
    parts = make_parts(tmp_path, server.base_url, live=False)
    assert parts.agent.step().kind == "continue"
    assert not [e for e in parts.shown if isinstance(e, ThoughtDelta)]
    proposal = next(e for e in parts.shown if isinstance(e, ProposalShown))
    assert proposal.proposal.command == "write_to_file"
    assert (tmp_path / "ws" / "a.txt").read_text(encoding="utf-8") == "hi"
    assert server.requests[0].body["stream"] is True
