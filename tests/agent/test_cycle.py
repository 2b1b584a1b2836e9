"""One cycle at a time, in-process: what the cycle records, and that a replay of its journal
cut at any point gives the state the run had there (what ``--resume`` relies on)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from autogpt import events as ev
from autogpt.errors import RunStopped
from autogpt.journal.journal import JOURNAL, read_events, read_run
from autogpt.journal.resume import replay
from tests.agent.run_parts import Parts
from tests.e2e.scripted import Router, is_summary
from tests.support.model_script import RequestRecord, autogpt_reply, reply, tool_call_reply
from tests.support.model_server import ModelServer

WINDOW = 2000
CORRECTION = "Your last reply could not be used"
LONG = "A paragraph of the report on ice cream, with numbers 1234 and names. " * 80


def _types(path: Path) -> list[str]:
    return [str(r["type"]) for r in read_events(path / JOURNAL).events]


def test_a_command_cycle_records_reply_start_and_finish_and_changes_the_state_by_them(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    server = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "a.txt", "text": "hi"})
    )
    parts = make_parts(tmp_path, server.base_url)
    outcome = parts.agent.step()
    assert outcome.kind == "continue"
    assert _types(tmp_path / "session") == [
        "start",
        "request",
        "reply",
        "command_started",
        "command_finished",
    ]
    assert (tmp_path / "ws" / "a.txt").read_text(encoding="utf-8") == "hi"
    (turn,) = parts.state.turns
    assert turn.proposal is not None and turn.proposal.command == "write_to_file"
    assert turn.result.startswith("Command write_to_file returned:")
    assert parts.state.cycle == 1 and parts.state.pending is None
    assert [e for e in parts.shown if isinstance(e, ev.CommandFinished)]  # watchers see it too


def test_an_unusable_reply_is_corrected_twice_then_recorded_and_counted(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    server = model_server_factory(reply("no json 1"), reply("no json 2"), reply("no json 3"))
    parts = make_parts(tmp_path, server.base_url)
    assert parts.agent.step().kind == "continue"
    types = _types(tmp_path / "session")
    assert types.count("correction") == 2 and types[-1] == "unusable"
    assert parts.state.corrections == 2 and parts.state.cycle == 1
    (turn,) = parts.state.turns
    assert turn.proposal is None and turn.text == "no json 3"
    assert turn.result.startswith("Your reply could not be used:")


def test_feedback_becomes_the_turns_result_and_nothing_runs(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    server = model_server_factory(
        autogpt_reply("write_to_file", {"filename": "a.txt", "text": "x"})
    )
    parts = make_parts(tmp_path, server.base_url, continuous=False, answers=["write it in Chinese"])
    parts.agent.step()
    assert not (tmp_path / "ws" / "a.txt").exists()
    assert parts.state.turns[-1].result == "Human feedback: write it in Chinese"
    assert "command_started" not in _types(tmp_path / "session")


def test_the_budget_stops_a_request_before_it_is_sent(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    server = model_server_factory()
    parts = make_parts(tmp_path, server.base_url, budget=0.000001)
    with pytest.raises(RunStopped, match="Budget"):
        parts.agent.step()
    assert server.requests == []


def _uninterrupted(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
    *,
    tool_mode: bool,
) -> tuple[ModelServer, Path]:
    make = tool_call_reply if tool_mode else autogpt_reply
    steps = [
        make("write_to_file", {"filename": "r.txt", "text": LONG}),
        reply("not a reply at all"),
        make("read_file", {"filename": "r.txt"}),
        make("read_file", {"filename": "r.txt"}),
        make("list_files", {"directory": "."}),
        make("read_file", {"filename": "r.txt"}),
        make("read_file", {"filename": "missing.txt"}),
        make("read_file", {"filename": "r.txt"}),
        make("read_file", {"filename": "r.txt", "offset": 10}),
        make("read_file", {"filename": "r.txt", "offset": 20}),
    ]
    server = model_server_factory(Router(steps), loop=True)
    parts = make_parts(tmp_path / "live", server.base_url, window=WINDOW, tool_mode=tool_mode)
    for _ in range(9):
        parts.agent.step()
    return server, tmp_path / "live" / "session"


def _main_requests(server: ModelServer) -> list[RequestRecord]:
    """The main model's first request of each cycle (not summaries, not corrections)."""
    return [
        r
        for r in server.requests
        if not is_summary(r) and CORRECTION not in str(r.messages[-1].get("content", ""))
    ]


@pytest.mark.parametrize("tool_mode", [False, True], ids=["json", "tools"])
def test_a_replay_cut_before_any_request_sends_what_the_uninterrupted_run_sent(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
    tool_mode: bool,
) -> None:
    """Killed just before each of the run's cycles' requests (after a correction, compaction and
    a summary among them), the replayed state's next request is, message for message, the one
    the uninterrupted run sent there."""
    live, folder = _uninterrupted(model_server_factory, tmp_path, make_parts, tool_mode=tool_mode)
    events = read_run(folder / JOURNAL).events
    assert any(isinstance(e, ev.SummaryFolded) for e in events)
    assert any(isinstance(e, ev.Compacted) for e in events)
    cuts = [
        i
        for i, e in enumerate(events)
        if isinstance(e, ev.RequestAccounted) and e.purpose == "main"
    ]
    sent = _main_requests(live)
    assert len(cuts) == len(sent) == 9
    for n, cut in enumerate(cuts):
        again = model_server_factory(reply("stop here"), reply("stop"), reply("stop"))
        parts = make_parts(
            tmp_path / f"cut{n}", again.base_url, state=replay(events[:cut]), window=WINDOW
        )
        parts.agent.step()
        assert again.requests[0].messages == sent[n].messages, f"cut before request {n + 1}"


def test_a_token_limit_too_small_for_the_prompt_stops_with_what_to_raise(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
) -> None:
    """The system prompt alone fills a 300-token limit: nothing is sent, no "counting bug" is
    claimed, and the stop says which setting to raise."""
    server = model_server_factory()
    parts = make_parts(tmp_path, server.base_url, window=300)
    with pytest.raises(RunStopped, match="Raise FAST_TOKEN_LIMIT") as stop:
        parts.agent.step()
    assert "300-token limit" in stop.value.message
    assert server.requests == []
    assert not [e for e in parts.shown if "counting bug" in str(getattr(e, "text", ""))]
