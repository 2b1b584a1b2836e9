"""The authorisation dialog of one proposed command: permission rules first, then the user.

1. A ``deny`` rule: the command does not run, in any mode (continuous and ``y -N`` included);
   the decision is ``denied`` and the cycle tells the model.
2. An ``ask`` rule: the user is asked, in every mode, even inside a ``y -N`` run; ``a`` is not
   offered (the file says to ask every time).
3. An ``allow`` rule (from the file, or granted with ``a`` this session): it runs without asking.
4. No rule: as before, continuous runs it, ``y -N`` counts down, else the user answers; ``a``
   runs it and grants :func:`~autogpt.agent.permissions.rule_for_session` for the session, and
   the user may save that rule to the file (asked once, y/n).

Every ruling is an event (``PermissionRuled``; a grant ``PermissionGranted``, which a resumed
run replays into ``RunState.granted``). No printing and no input(): ``show`` and ``ask`` are
the agent's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autogpt.agent.authorize import Authorizer, Decision, parse_answer
from autogpt.agent.events import Authorized, Notice, Show
from autogpt.agent.permissions import (
    PATH_ARGUMENTS,
    Permissions,
    Rule,
    Ruling,
    main_argument,
    rule_for_session,
)
from autogpt.agent.state import RunState
from autogpt.commands.control import FINISH_COMMAND
from autogpt.errors import ConfigError
from autogpt.events import PermissionGranted, PermissionRuled, PermissionSaved, RunEvent
from autogpt.reply.parser import Proposal

ALWAYS_KEY = "a"

SaveRule = Callable[[Rule], None]


@dataclass
class PermissionPolicy:
    """The rules of a run and where a rule granted at the prompt may be saved."""

    rules: Permissions = field(default_factory=Permissions)
    save: SaveRule | None = None
    """Adds a rule to the file's allow list; ``None``: saving is not offered."""
    file: str = ""
    """The file's name as the user is shown it."""


class Approval:
    def __init__(
        self,
        *,
        policy: PermissionPolicy,
        authorizer: Authorizer,
        ask: Callable[[str], str],
        show: Show,
        record: Callable[[RunEvent], None],
        state: RunState,
        ai_name: str,
        arg_names: Callable[[], Mapping[str, Sequence[str]]],
        root: Path | None = None,
        origin_of: Callable[[str], str | None] = lambda command: None,
    ) -> None:
        """``origin_of``: whose command it is, shown before the question (an MCP tool's server
        and tool), or None."""
        self.policy = policy
        self.authorizer = authorizer
        self.ask = ask
        self.show = show
        self.record = record
        self.state = state
        self.ai_name = ai_name
        self.arg_names = arg_names
        self.origin_of = origin_of
        self.root = str(root) if root else None
        self.authorise_key = authorizer.authorise_key
        self.exit_key = authorizer.exit_key

    def authorize(self, proposal: Proposal) -> Decision:
        names = self.arg_names().get(proposal.command)
        main = main_argument(proposal.args, names, root=self.root)
        ruling = self.policy.rules.check(proposal.command, main)
        target = self._target(proposal, names)
        if target is not None and target != main:  # a symlink: the rules see where it leads
            ruling = _through_link(ruling, self.policy.rules.check(proposal.command, target))
        if ruling.rule is not None:
            self.record(
                PermissionRuled(
                    cycle=self.state.cycle,
                    command=proposal.command,
                    verdict=ruling.verdict or "",
                    rule=ruling.rule.text,
                    granted=ruling.granted,
                )
            )
        if ruling.verdict == "deny":
            return self._denied(proposal, ruling)
        if ruling.verdict == "ask":
            return self._dialog(proposal, main, ruling)
        if ruling.verdict == "allow":
            if not self.authorizer.continuous:
                self.show(Notice(f"Allowed without asking by the rule {self._rule(ruling)}."))
            return Decision("run", 1, text=f"allowed by rule {ruling.rule!r}")
        if self.authorizer.continuous:
            return Decision("run", 1, text="continuous")
        if not self.authorizer.must_ask():
            self.show(Authorized(self.authorizer.consume()))
            return Decision("run", 1, text="pre-authorised")
        return self._dialog(proposal, main, ruling)

    def _target(self, proposal: Proposal, names: Sequence[str] | None) -> str | None:
        """A path argument with the workspace's symlinks followed, relative to the workspace
        (absolute when it leads outside): what the command will really touch."""
        name = names[0] if names else next(iter(proposal.args), None)
        value = proposal.args.get(name) if name else None
        if not self.root or name not in PATH_ARGUMENTS or not isinstance(value, str) or not value:
            return None
        real_root = os.path.realpath(self.root)
        real = os.path.realpath(os.path.join(real_root, value.strip()))
        return main_argument({name: real}, [name], root=real_root)

    # --- the rulings ----------------------------------------------------------------------
    def _rule(self, ruling: Ruling) -> str:
        """``'read_file' (in permissions.yaml)`` or ``'read_file' (granted this session)``."""
        assert ruling.rule is not None
        where = (
            "granted this session" if ruling.granted else f"in {self.policy.file or 'the rules'}"
        )
        return f"'{ruling.rule.text}' ({where})"

    def _denied(self, proposal: Proposal, ruling: Ruling) -> Decision:
        assert ruling.rule is not None
        self.show(
            Notice(
                f"{proposal.command} was not run: denied by the rule {self._rule(ruling)}.", "warn"
            )
        )
        return Decision(
            "denied",
            text=f"{proposal.command} is denied by the user's permission rule "
            f"'{ruling.rule.text}', so it was not run. Do not try it again; reach the goal "
            "another way.",
        )

    def _dialog(self, proposal: Proposal, main: str | None, ruling: Ruling) -> Decision:
        forced = ruling.verdict == "ask"
        session_rule = rule_for_session(proposal.command, main)
        y, n = self.authorise_key, self.exit_key
        ends_run = proposal.command == FINISH_COMMAND  # nothing to allow again after it
        offered = not forced and not ends_run and ALWAYS_KEY not in (y.lower(), n.lower())
        offer = f"'{ALWAYS_KEY}' to always allow {session_rule.text}, " if offered else ""
        question = (
            f"Enter '{y}' to authorise command, '{y} -N' to run N continuous commands, {offer}"
            f"'{n}' to exit program, or enter feedback for {self.ai_name}..."
        )
        if forced:
            self.show(Notice(f"Asked every time: the rule {self._rule(ruling)}."))
        origin = self.origin_of(proposal.command)  # an MCP tool (issue J): whose tool it is
        if origin:
            args = json.dumps(proposal.args, ensure_ascii=False)
            self.show(Notice(f"{origin}; arguments: {args}"))
        while True:
            decision = parse_answer(
                self.ask(question), authorise_key=y, exit_key=n, always_key=ALWAYS_KEY
            )
            if decision.kind == "always" and (forced or ends_run):
                why = (
                    f"the rule {self._rule(ruling)} says to ask every time"
                    if forced
                    else f"{FINISH_COMMAND} ends the run"
                )
                self.show(
                    Notice(
                        f"'{ALWAYS_KEY}' is not offered here: {why}. "
                        f"Answer '{y}' to run it this once.",
                        "warn",
                    )
                )
                continue
            if decision.kind != "invalid":
                break
            self.show(Notice(decision.text, "warn"))
        if decision.kind == "always":
            self._grant(session_rule)
            decision = Decision("run", 1, text=f"always allow {session_rule.text}")
        if decision.kind == "run":
            self.authorizer.grant(decision.count)
            self.show(Authorized(self.authorizer.consume()))
        return decision

    def _grant(self, rule: Rule) -> None:
        self.policy.rules.grant(rule)
        self.record(PermissionGranted(cycle=self.state.cycle, rule=rule.text))
        self.show(Notice(f"'{rule.text}' runs without asking for the rest of this session."))
        save = self.policy.save
        if save is None:
            return
        answer = self.ask(f"Save '{rule.text}' to {self.policy.file} for later runs too? (y/n)")
        if answer.strip().lower() not in ("y", "yes"):
            self.show(Notice("Not saved: it holds for this session only."))
            return
        try:
            save(rule)
        except (OSError, ConfigError) as exc:
            reason = exc.message if isinstance(exc, ConfigError) else str(exc)
            self.show(Notice(f"Could not save the rule: {reason}", "warn"))
            return
        self.record(PermissionSaved(cycle=self.state.cycle, rule=rule.text))
        self.show(Notice(f"Saved: {self.policy.file} now allows '{rule.text}'."))


def granted_rules(granted: Iterable[str]) -> list[Rule]:
    """The rules granted with ``a`` in the session's earlier runs (``RunState.granted``)."""
    rules: list[Rule] = []
    for text in granted:
        try:
            rules.append(Rule.parse(text))
        except ValueError:
            continue
    return rules


def _through_link(given: Ruling, at_target: Ruling) -> Ruling:
    """The ruling for a path given through a symlink: a deny or ask of either name holds (deny
    first); an allow holds only if it allows the place the link leads to, else the user is
    asked (``notes/*`` allowed does not let ``notes/x -> ../secret/x`` through)."""
    for verdict in ("deny", "ask"):
        for ruling in (given, at_target):
            if ruling.verdict == verdict:
                return ruling
    return at_target
