"""The helper-agent commands in-process, from their real parts: the request gateway and the
real openai client over HTTP to the scripted server, a real journal and recorder, the run state
changed only by the events, and a replay of the journal for what ``--resume`` relies on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autogpt import events as ev
from autogpt.agent.helper_agents import open_helper_agents
from autogpt.agent.limits import Limits
from autogpt.agent.model_calls import ModelCalls, ModelSetup
from autogpt.agent.recorder import Recorder
from autogpt.agent.state import RunState
from autogpt.commands import agents
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import CommandResult, Registry
from autogpt.config.settings import Settings
from autogpt.errors import RunStopped
from autogpt.journal.journal import JOURNAL, Journal, read_run
from autogpt.journal.resume import replay
from autogpt.llm import catalog
from autogpt.llm.client import OpenAIModelClient
from autogpt.workspace import Workspace
from tests.support.model_script import reply
from tests.support.model_server import ModelServer

REGISTRY = Registry.from_modules([agents])
PARAGRAPH = "Vanilla sold 120 tonnes in Beijing and chocolate 80 in Shanghai last summer. " * 12


@dataclass
class Run:
    ctx: CommandContext
    state: RunState
    journal: Journal
    folder: Path

    def do(self, command: str, /, **args: Any) -> CommandResult:
        return REGISTRY.dispatch(command, args, self.ctx)


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    made: list[Run] = []

    def make(
        server: ModelServer, *, window: int = 4000, limit: int = 5, budget: float = 0.0
    ) -> Run:
        settings = Settings(
            _env_file=None,
            openai_api_key="sk-test",
            openai_api_base=server.base_url,
            openai_max_retries=0,
            max_helper_agents=limit,
        )
        info = catalog.lookup("gpt-3.5-turbo", fallback_window=window)
        limits = Limits.compute(main=info, main_limit=window, fast=info, fast_limit=window)
        folder = tmp_path / f"session{len(made)}"
        journal, state = Journal(folder), RunState()
        record = Recorder(journal, state, lambda event: None)
        options = {"budget": budget}
        record(ev.Started(profile={}, options=options, workspace="ws", model=info.name))
        calls = ModelCalls(
            models=ModelSetup(info, info),
            limits=limits,
            client=OpenAIModelClient(settings),
            record=record,
            state=state,
            show=lambda event: None,
        )
        ctx = CommandContext(
            workspace=Workspace(str(tmp_path / "ws")),
            settings=settings,
            helper_agents=open_helper_agents(calls, record, limit=limit),
        )
        made.append(Run(ctx, state, journal, folder))
        return made[-1]

    yield make
    for run in made:
        run.journal.close()


def test_schemas_are_pinned() -> None:
    key = {"description": "the key start_agent returned, or the helper's name", "type": "string"}
    assert REGISTRY.get("start_agent").schema == {  # type: ignore[union-attr]
        "properties": {
            "name": {
                "description": "a short name for the helper, e.g. 'researcher'",
                "type": "string",
            },
            "task": {"description": "the helper's task, in a sentence", "type": "string"},
            "prompt": {"description": "the first message to the helper", "type": "string"},
        },
        "required": ["name", "task", "prompt"],
        "type": "object",
    }  # fmt: skip
    assert REGISTRY.get("message_agent").schema == {  # type: ignore[union-attr]
        "properties": {"key": key, "message": {"type": "string"}},
        "required": ["key", "message"],
        "type": "object",
    }
    assert REGISTRY.get("list_agents").schema == {"properties": {}, "type": "object"}  # type: ignore[union-attr]
    assert REGISTRY.get("delete_agent").schema == {  # type: ignore[union-attr]
        "properties": {"key": key},
        "required": ["key"],
        "type": "object",
    }


def test_a_helper_is_a_plain_conversation_that_remembers_its_exchanges(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    server = model_server_factory(reply("Vanilla, chocolate, mango."), reply("Vanilla."))
    run = make_run(server)
    started = run.do("start_agent", name="researcher", task="find flavours", prompt="List three.")
    assert started.ok, started.text
    assert started.text == (
        "Agent researcher created with key 1. First response: Vanilla, chocolate, mango."
    )
    answered = run.do("message_agent", key="researcher", message="Which sells most?")
    assert answered.text == "Agent researcher (key 1) replied: Vanilla."
    first, second = server.requests
    assert first.messages == [
        {"role": "user", "content": "You are researcher. Your task is as follows: find flavours"
         "\n\nList three."},
    ]  # fmt: skip
    assert "tools" not in first.body and first.model == "gpt-3.5-turbo"
    assert second.messages[1:] == [
        {"role": "assistant", "content": "Vanilla, chocolate, mango."},
        {"role": "user", "content": "Which sells most?"},
    ]
    events = read_run(run.folder / JOURNAL).events
    purposes = [e.purpose for e in events if isinstance(e, ev.RequestAccounted)]
    assert purposes == ["helper_agent", "helper_agent"]
    assert run.state.costs.requests == 2


def test_a_replayed_journal_restores_the_helpers_as_they_were(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    server = model_server_factory(reply("one"), reply("two"), reply("three"))
    run = make_run(server)
    run.do("start_agent", name="a", task="t", prompt="p")
    run.do("start_agent", name="b", task="t", prompt="p")
    run.do("message_agent", key="1", message="more")
    run.do("delete_agent", key="b")
    again = replay(read_run(run.folder / JOURNAL).events)
    assert list(again.helpers.chats) == ["1"] and again.helpers.next_key() == "3"
    assert again.helpers.chats["1"].messages() == run.state.helpers.chats["1"].messages()
    contents = [m["content"] for m in again.helpers.chats["1"].messages()]
    assert contents[1:] == ["one", "more", "three"]


def test_more_helpers_than_max_helper_agents_is_a_clear_error_and_sends_nothing(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    server = model_server_factory(reply("ok"), reply("ok"))
    run = make_run(server, limit=2)
    run.do("start_agent", name="writer", task="write the report", prompt="go")
    run.do("start_agent", name="checker", task="check the numbers", prompt="go")
    third = run.do("start_agent", name="third", task="t", prompt="go")
    assert not third.ok
    assert third.text == (
        "Error: At most 2 helper agents may run at once (MAX_HELPER_AGENTS); delete one with "
        "delete_agent first. Running: 1 (writer: write the report), 2 (checker: check the numbers)."
    )
    assert len(server.requests) == 2
    run.do("delete_agent", key="1")
    server.add(reply("ready"))
    assert run.do("start_agent", name="third", task="t", prompt="go").text.startswith(
        "Agent third created with key 3."
    )


def test_an_unknown_key_is_an_error_listing_the_known_helpers(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    server = model_server_factory(reply("ok"))
    run = make_run(server)
    none = run.do("message_agent", key="0", message="hi")
    assert none.text == (
        "Error: No helper agent has the key or name '0': none is running; start one with "
        "start_agent."
    )
    run.do("start_agent", name="researcher", task="find prices", prompt="go")
    for command, args in (("message_agent", {"message": "hi"}), ("delete_agent", {})):
        result = run.do(command, key="writer", **args)
        assert result.text == (
            "Error: No helper agent has the key or name 'writer'. Known: 1 (researcher: find "
            "prices)."
        )
    assert len(server.requests) == 1


def test_list_agents_shows_keys_names_and_tasks_and_delete_removes_one(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server_factory(reply("ok"), reply("ok")))
    assert run.do("list_agents").text == (
        "No helper agents are running (at most 5; start one with start_agent)."
    )
    run.do("start_agent", name="researcher", task="find prices", prompt="go")
    run.do("start_agent", name="writer", task="write it up", prompt="go")
    assert run.do("list_agents").text == (
        "List of agents (2 of at most 5):\n1: researcher - find prices\n2: writer - write it up"
    )
    assert run.do("delete_agent", key="Researcher").text == "Agent researcher (key 1) deleted."
    assert run.do("list_agents").text.endswith(":\n2: writer - write it up")


def test_a_key_sent_as_a_number_finds_the_helper(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server_factory(reply("ok"), reply("sure")))
    run.do("start_agent", name="writer", task="t", prompt="go")
    assert run.do("message_agent", key=1, message="more").text == (
        "Agent writer (key 1) replied: sure"
    )
    assert run.do("delete_agent", key=True).text.startswith("Error: delete_agent: argument 'key'")


def test_an_empty_a_numeric_or_a_long_name_is_refused_without_a_request(
    model_server: ModelServer, make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server)
    texts = [
        run.do("start_agent", name=n, task="t", prompt="go").text for n in (" ", "2", "x" * 61)
    ]
    assert texts == [
        "Error: start_agent: the name is empty; give the helper a short name.",
        "Error: start_agent: '2' would be mistaken for a key; use a word.",
        "Error: start_agent: the name is too long; use at most 60 characters.",
    ]
    assert model_server.requests == []


def test_a_second_helper_with_a_running_helpers_name_is_refused(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server_factory(reply("ok")))
    run.do("start_agent", name="writer", task="t", prompt="go")
    again = run.do("start_agent", name="writer", task="other", prompt="go")
    assert again.text.startswith("Error: A helper agent named 'writer' is already running (key 1)")


def test_a_long_conversation_drops_its_oldest_exchanges_to_stay_within_the_window(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    """The server refuses (and counts) a prompt plus max_tokens above its window, as OpenAI
    does: none is refused, and the opening message stays while the oldest exchanges go."""
    window = 1200
    steps = [reply(f"answer {i}. {PARAGRAPH}") for i in range(6)]
    server = model_server_factory(*steps, context_window=window)
    run = make_run(server, window=window)
    run.do("start_agent", name="analyst", task="compare flavours", prompt=PARAGRAPH)
    results = [run.do("message_agent", key="1", message=f"question {i}") for i in range(1, 6)]
    assert all(r.ok for r in results), [r.text for r in results]
    assert server.overflows == 0
    assert all(r.prompt_tokens is not None for r in server.requests)
    assert all((r.prompt_tokens or 0) + r.body["max_tokens"] <= window for r in server.requests)
    last = server.requests[-1].messages
    assert last[0]["content"].startswith("You are analyst. Your task is as follows:")
    assert "oldest exchange(s) of this conversation were left out" in last[0]["content"]
    assert last[-1] == {"role": "user", "content": "question 5"}
    assert "answer 0." not in str(last)
    assert "no longer in its memory" in results[-1].text
    dropped = [e for e in read_run(run.folder / JOURNAL).events if isinstance(e, ev.HelperReplied)]
    assert sum(e.dropped for e in dropped) == run.state.helpers.chats["1"].dropped > 0


def test_a_message_too_long_for_the_window_is_refused_without_a_request(
    model_server: ModelServer, make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server, window=1000)
    result = run.do("start_agent", name="a", task="t", prompt=PARAGRAPH * 6)
    assert result.text.startswith("Error: The task and prompt take ")
    assert "a helper's request may take; send something shorter." in result.text
    assert model_server.requests == [] and run.state.helpers.chats == {}


def test_a_window_the_endpoint_states_is_kept_and_the_next_start_fits_it(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    """FAST_TOKEN_LIMIT says 4000 but the server's window is 1000 (a local server)."""
    server = model_server_factory(reply("ready"), context_window=1000)
    run = make_run(server, window=4000)
    prompt = PARAGRAPH * 3
    refused = run.do("start_agent", name="a", task="t", prompt=prompt)
    assert refused.text.startswith("Error: The model refused the helper's request as too long")
    assert refused.text.endswith("its window is kept from now on: try again.")
    assert run.state.helpers.chats == {} and server.overflows == 1
    assert run.do("start_agent", name="a", task="t", prompt=prompt).ok
    assert (server.requests[-1].prompt_tokens or 0) + server.requests[-1].body["max_tokens"] <= 1000


def test_a_helper_request_that_would_pass_the_budget_stops_the_run_before_it_is_sent(
    model_server_factory: Callable[..., ModelServer], make_run: Callable[..., Run]
) -> None:
    server = model_server_factory(reply("ok"))
    run = make_run(server, budget=0.01)
    run.do("start_agent", name="a", task="t", prompt="go")
    assert run.state.costs.total > 0  # the helper's request was counted
    run.ctx.helper_agents.record(  # type: ignore[union-attr]
        ev.RequestAccounted(
            model="gpt-3.5-turbo", purpose="main", cost=0.01 - run.state.costs.total
        )
    )
    with pytest.raises(RunStopped, match=r"Budget of \$0.01 reached"):
        run.do("message_agent", key="a", message="more")
    assert len(server.requests) == 1
    assert len(run.state.helpers.chats["1"].messages()) == 2  # nothing recorded for it


def test_with_max_helper_agents_0_the_commands_are_not_offered(
    model_server: ModelServer, make_run: Callable[..., Run]
) -> None:
    run = make_run(model_server, limit=0)
    assert REGISTRY.available(run.ctx) == []
    result = run.do("start_agent", name="a", task="t", prompt="go")
    assert result.text == (
        "Error: start_agent is not available: helper agents are off (MAX_HELPER_AGENTS=0)"
    )
