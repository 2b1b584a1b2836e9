"""Over a long run in a small window, the prompt changes its prefix only at rare compaction
points (what a provider's prompt cache needs), every request still fits, and no turn is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autogpt import events as ev
from autogpt.journal.journal import JOURNAL, read_run
from tests.agent.run_parts import Parts
from tests.e2e.scripted import Router, is_summary
from tests.support.model_script import RequestRecord, autogpt_reply, tool_call_reply
from tests.support.model_server import ModelServer

WINDOW = 4000
CYCLES = 24
SOURCE = "Figures of the ice-cream market, with prices 1234 and the names of makers. " * 16


def _mark(k: int) -> str:
    return f"MARK-{k:02d}"


def _run(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
    *,
    tool_mode: bool,
) -> tuple[ModelServer, list[ev.RunEvent]]:
    """``CYCLES`` cycles, each reading a ~1,200-character source that opens with its mark."""
    make = tool_call_reply if tool_mode else autogpt_reply
    steps = [make("read_file", {"filename": f"src/s{k}.txt"}) for k in range(CYCLES)]
    router = Router(steps)
    # The server refuses any request above the window (context_length_exceeded).
    server = model_server_factory(router, loop=True, context_window=WINDOW)
    parts = make_parts(tmp_path, server.base_url, window=WINDOW, tool_mode=tool_mode)
    sources = tmp_path / "ws" / "src"
    sources.mkdir(parents=True)
    for k in range(CYCLES):
        (sources / f"s{k}.txt").write_text(f"{_mark(k)} {SOURCE}", encoding="utf-8")
    for _ in range(CYCLES):
        assert parts.agent.step().kind == "continue"
    assert router.main_left == 0
    return server, read_run(tmp_path / "session" / JOURNAL).events


def _points(events: list[ev.RunEvent]) -> list[str]:
    """Per main request after the first, what came just before it: "" (nothing), "shortened"
    (a compaction point that only shortened old turns) or "folded" (one that folded turns into
    the summary)."""
    points: list[str] = []
    since = ""
    for event in events:
        if isinstance(event, ev.SummaryFolded):
            since = "folded"
        elif isinstance(event, ev.Compacted):
            since = since or "shortened"
        elif isinstance(event, ev.RequestAccounted) and event.purpose == "main":
            points.append(since)
            since = ""
    return points[1:]


def _appends(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bool:
    """``after`` is ``before`` with a new turn: all but the last message unchanged, the last one
    (the result, then the next-step text) kept up to its result."""
    last = len(before) - 1
    if after[:last] != before[:last] or len(after) <= last:
        return False
    if before[last]["role"] != after[last]["role"]:  # the next-step text was a message of its own
        return bool(before[last]["role"] == "user" and after[last]["role"] == "assistant")
    return str(before[last]["content"]).startswith(str(after[last]["content"]))


@pytest.mark.parametrize("tool_mode", [False, True], ids=["json", "tools"])
def test_between_rare_compaction_points_each_request_only_appends_to_the_one_before(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
    tool_mode: bool,
) -> None:
    server, events = _run(model_server_factory, tmp_path, make_parts, tool_mode=tool_mode)
    records = [r for r in server.requests if not is_summary(r)]
    main = [r.messages for r in records]
    assert all(r.tools == records[0].tools for r in records), "the command list changed"
    points = _points(events)
    assert len(main) == CYCLES and len(points) == CYCLES - 1
    assert "shortened" in points and "folded" in points, "the test proves nothing"
    for n, (before, after) in enumerate(zip(main, main[1:], strict=False)):
        assert after[0] == main[0][0], "the system prompt changed"
        if not points[n]:
            assert _appends(before, after), f"request {n + 2} changed its prefix"
        elif points[n] == "shortened":  # the summary stays; the change starts after it
            assert after[1] == before[1], f"request {n + 2} changed the summary"
    # Folds (the whole history changes) are rare: each is followed by a run that only appends.
    folds = [n for n, point in enumerate(points) if point == "folded"]
    assert all(b - a > 4 for a, b in zip(folds, folds[1:], strict=False)), folds
    assert all(not p for p in points[folds[0] + 1 : folds[0] + 4])
    assert sum(bool(p) for p in points) <= CYCLES // 2


@pytest.mark.parametrize("tool_mode", [False, True], ids=["json", "tools"])
def test_every_turn_is_in_the_prompt_or_folded_into_the_summary_at_each_request(
    model_server_factory: Callable[..., ModelServer],
    tmp_path: Path,
    make_parts: Callable[..., Parts],
    tool_mode: bool,
) -> None:
    """Each result's mark is in every later main request, or in a summary request sent before
    it (the server refused no request as too long: every one, compaction points too, fit)."""
    server, _ = _run(model_server_factory, tmp_path, make_parts, tool_mode=tool_mode)
    folded = ""
    seen = 0
    for record in server.requests:
        text = _text(record)
        if is_summary(record):
            folded += text
            continue
        for k in range(seen):
            assert _mark(k) in text or _mark(k) in folded, f"turn {k} lost at request {seen + 1}"
        seen += 1
    assert seen == CYCLES
    assert _mark(0) not in _text(server.requests[-1]), "nothing was ever folded"


def _text(record: RequestRecord) -> str:
    return "\n".join(str(m.get("content") or "") for m in record.messages)
