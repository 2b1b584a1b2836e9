"""The authorisation dialog with permission rules, driven with scripted answers and a real
journal: what runs, what is asked, what is denied, and what is written down."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.agent.approval import Approval, PermissionPolicy, granted_rules
from autogpt.agent.authorize import Authorizer
from autogpt.agent.events import Notice, Shown
from autogpt.agent.permissions import Permissions, Rule
from autogpt.agent.recorder import Recorder
from autogpt.agent.state import RunState
from autogpt.journal.journal import Journal
from autogpt.reply.parser import Proposal, Thoughts

ARGS = {"write_to_file": ["filename", "text"], "execute_shell": ["command_line"]}


class Dialog:
    def __init__(self, journal: Journal) -> None:
        self.answers: list[str] = []
        self.questions: list[str] = []
        self.shown: list[Shown] = []
        self.saved: list[Rule] = []
        self.journal = journal
        self.authorise_key = "y"

    def ask(self, question: str) -> str:
        self.questions.append(question)
        if not self.answers:
            raise AssertionError(f"unexpected question: {question}")
        return self.answers.pop(0)

    def approval(
        self,
        lists: dict[str, list[str]],
        *,
        continuous: bool = False,
        save: bool = True,
        root: Path | None = None,
    ) -> Approval:
        self.state = RunState()
        return Approval(
            policy=PermissionPolicy(
                rules=Permissions.from_lists(lists, source="permissions.yaml"),
                save=self.saved.append if save else None,
                file="permissions.yaml",
            ),
            authorizer=Authorizer(continuous=continuous, authorise_key=self.authorise_key),
            ask=self.ask,
            show=self.shown.append,
            record=Recorder(self.journal, self.state, self.shown.append),
            state=self.state,
            ai_name="Tester",
            arg_names=lambda: ARGS,
            root=root,
        )

    def notices(self) -> str:
        return "\n".join(e.text for e in self.shown if isinstance(e, Notice))

    def events(self) -> list[dict[str, object]]:
        lines = self.journal.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture
def dialog(tmp_path: Path) -> Iterator[Dialog]:
    journal = Journal(tmp_path / "session")
    yield Dialog(journal)
    journal.close()


def _proposal(command: str, **args: object) -> Proposal:
    return Proposal(Thoughts(), command, dict(args))


def test_an_allowed_command_runs_without_a_question(dialog: Dialog) -> None:
    gate = dialog.approval({"allow": ["write_to_file"]})
    decision = gate.authorize(_proposal("write_to_file", filename="a", text="x"))
    assert decision.kind == "run"
    assert dialog.questions == []
    assert "Allowed without asking by the rule 'write_to_file'" in dialog.notices()
    assert dialog.events()[-1]["verdict"] == "allow"


@pytest.mark.parametrize("continuous", [False, True])
def test_a_denied_command_is_refused_with_a_reason_for_the_model(
    dialog: Dialog, continuous: bool
) -> None:
    gate = dialog.approval({"deny": ["execute_shell(rm *)"]}, continuous=continuous)
    decision = gate.authorize(_proposal("execute_shell", command_line="rm -rf x"))
    assert decision.kind == "denied"
    assert "denied by the user's permission rule 'execute_shell(rm *)'" in decision.text
    assert dialog.questions == []


def test_a_denied_command_is_refused_inside_a_y_dash_n_run(dialog: Dialog) -> None:
    gate = dialog.approval({"deny": ["execute_shell(rm *)"]})
    dialog.answers = ["y -5"]
    assert gate.authorize(_proposal("execute_shell", command_line="ls")).kind == "run"
    assert gate.authorize(_proposal("execute_shell", command_line="rm x")).kind == "denied"
    assert gate.authorize(_proposal("execute_shell", command_line="ls")).kind == "run"
    assert len(dialog.questions) == 1


@pytest.mark.parametrize("continuous", [False, True])
def test_an_ask_rule_asks_in_every_mode_and_refuses_always(
    dialog: Dialog, continuous: bool
) -> None:
    gate = dialog.approval({"ask": ["write_to_file"]}, continuous=continuous)
    dialog.answers = ["a", "y"]
    decision = gate.authorize(_proposal("write_to_file", filename="a", text="x"))
    assert decision.kind == "run"
    assert len(dialog.questions) == 2
    assert "'a' to always allow" not in dialog.questions[0]
    assert "'a' is not offered here" in dialog.notices()
    assert dialog.saved == []


def test_always_allow_grants_the_session_and_saves_when_the_user_says_so(
    dialog: Dialog,
) -> None:
    gate = dialog.approval({})
    dialog.answers = ["a", "y"]
    first = gate.authorize(_proposal("execute_shell", command_line="ls -la"))
    assert first.kind == "run"
    assert "'a' to always allow execute_shell(ls *)" in dialog.questions[0]
    assert "Save 'execute_shell(ls *)' to permissions.yaml" in dialog.questions[1]
    assert [r.text for r in dialog.saved] == ["execute_shell(ls *)"]
    assert gate.authorize(_proposal("execute_shell", command_line="ls sub")).kind == "run"
    assert len(dialog.questions) == 2  # the second ls was not asked for
    dialog.answers = ["y"]
    assert gate.authorize(_proposal("execute_shell", command_line="cat a")).kind == "run"
    assert len(dialog.questions) == 3  # another program is asked for
    assert [r.text for r in granted_rules(dialog.state.granted)] == ["execute_shell(ls *)"]


def test_always_allow_without_saving_holds_for_the_session_only(dialog: Dialog) -> None:
    gate = dialog.approval({})
    dialog.answers = ["a", "n"]
    gate.authorize(_proposal("write_to_file", filename="a", text="x"))
    assert dialog.saved == []
    assert "this session only" in dialog.notices()
    assert gate.authorize(_proposal("write_to_file", filename="b", text="y")).kind == "run"


def test_a_failed_save_is_reported_and_the_grant_still_holds(dialog: Dialog) -> None:
    gate = dialog.approval({})

    def broken(rule: Rule) -> None:
        raise PermissionError(13, "Permission denied", "permissions.yaml")

    gate.policy.save = broken
    dialog.answers = ["a", "y"]
    assert gate.authorize(_proposal("write_to_file", filename="a", text="x")).kind == "run"
    assert "Could not save the rule" in dialog.notices()
    assert gate.authorize(_proposal("write_to_file", filename="b", text="y")).kind == "run"


def test_always_is_not_offered_when_a_is_the_key_that_runs_a_command(dialog: Dialog) -> None:
    dialog.authorise_key = "a"
    gate = dialog.approval({})
    dialog.answers = ["a", "a"]
    assert gate.authorize(_proposal("write_to_file", filename="a", text="x")).kind == "run"
    assert "always allow" not in dialog.questions[0]
    assert gate.authorize(_proposal("write_to_file", filename="b", text="y")).kind == "run"
    assert len(dialog.questions) == 2  # nothing was granted: asked again


def test_always_is_not_offered_for_the_command_that_ends_the_run(dialog: Dialog) -> None:
    gate = dialog.approval({})
    dialog.answers = ["a", "y"]
    assert gate.authorize(_proposal("task_complete", reason="done")).kind == "run"
    assert "always allow" not in dialog.questions[0]
    assert "'a' is not offered here: task_complete ends the run" in dialog.notices()
    assert len(dialog.questions) == 2
    assert not any(e["type"] == "permission_granted" for e in dialog.events())


def test_a_deny_rule_holds_for_a_path_reached_through_a_symlink(
    dialog: Dialog, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    (root / "secret").mkdir(parents=True)
    (root / "link").symlink_to("secret")
    gate = dialog.approval({"deny": ["write_to_file(secret/*)"]}, root=root)
    decision = gate.authorize(_proposal("write_to_file", filename="link/keys.txt", text="x"))
    assert decision.kind == "denied"
    assert "write_to_file(secret/*)" in decision.text
    assert dialog.questions == []


def test_an_allow_rule_does_not_let_a_symlink_lead_elsewhere_unasked(
    dialog: Dialog, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    (root / "notes").mkdir(parents=True)
    (root / "secret").mkdir()
    (root / "notes" / "away").symlink_to("../secret")
    gate = dialog.approval({"allow": ["write_to_file(notes/*)"]}, root=root)
    assert gate.authorize(_proposal("write_to_file", filename="notes/a.txt", text="x")).kind == (
        "run"
    )
    assert dialog.questions == []
    dialog.answers = ["n"]
    decision = gate.authorize(_proposal("write_to_file", filename="notes/away/b.txt", text="x"))
    assert decision.kind == "exit"
    assert len(dialog.questions) == 1
