"""Interactive setup: reuse ai_settings.yaml, or ask for name, role and goals; the API key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autogpt.config.ai_profile import (
    DEFAULT_NAME,
    DEFAULT_ROLE,
    MAX_GOALS,
    AIProfile,
    ProfileError,
    keep_broken,
    load_profile,
    save_profile,
)
from autogpt.errors import ModelRejected, ModelUnavailable, UsageError
from autogpt.ui.console import Console


def obtain_profile(console: Console, path: Path, *, skip_reprompt: bool) -> AIProfile:
    """The profile to run with: reused, or asked for and saved. Never overwrites a broken file."""
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        if not console.interactive:
            raise UsageError(f"{exc}. Fix it, or remove it and run again on a terminal.") from None
        backup = keep_broken(path)
        console.warn(f"{exc}. It was kept as {backup.name}; let's set up a new one.")
        profile = None
    for warning in profile.warnings if profile is not None else []:
        console.warn(warning)
    if profile is not None and profile.ai_goals:
        show_profile(console, profile)
        if skip_reprompt or not console.interactive:
            return profile
        if console.ask_yes_no(f"Continue with the last settings ({profile.ai_name})?"):
            return profile
    elif not console.interactive:
        if profile is not None:
            raise UsageError(
                f"{path} has no ai_goals: add at least one goal (a list under "
                "ai_goals:) or run on a terminal to set them up."
            )
        raise UsageError(
            f"No AI settings at {path} and no terminal to ask for them. Create {path} "
            "(ai_name, ai_role, ai_goals) or run on a terminal."
        )
    elif profile is not None:
        console.warn(f"{path} has no ai_goals; let's set up the AI.")
    profile = ask_profile(console)
    save_profile(profile, path)
    console.info(f"Saved to {path}.")
    return profile


def show_profile(console: Console, profile: AIProfile) -> None:
    console.labelled("Name:", profile.ai_name, "bold green")
    console.labelled("Role:", profile.ai_role, "bold green")
    console.labelled("Goals:", "", "bold green")
    for goal in profile.ai_goals:
        console.line(f"-  {goal}", "green")
    if profile.api_budget:
        console.labelled("Budget:", f"${profile.api_budget:.2f}", "bold green")


def ask_profile(console: Console) -> AIProfile:
    console.info("Create an AI: give it a name, a role and up to 5 goals.")
    name = console.ask("Name your AI (empty for the default):", "AI Name: ").strip()
    if not name:
        name = DEFAULT_NAME
        console.info(f"Using the default name: {name}")
    role = console.ask(
        f"Describe {name}'s role, e.g. 'an AI that writes market reports' (empty for the default).",
        f"{name} is: ",
    ).strip()
    if not role:
        role = DEFAULT_ROLE
        console.info(f"Using the default role: {name} is {role}")
    console.info(f"Enter up to {MAX_GOALS} goals for {name}, one per line; an empty line ends.")
    goals: list[str] = []
    while len(goals) < MAX_GOALS:
        goal = console.ask("", f"Goal {len(goals) + 1}: ").strip()
        if not goal:
            break
        goals.append(goal)
    if len(goals) == MAX_GOALS:
        console.info(f"That is {MAX_GOALS} goals, the most an AI takes.")
    if not goals:
        goals = [
            "Increase net worth",
            "Grow Twitter Account",
            "Develop and manage multiple businesses autonomously",
        ]
        console.info("No goals given; using the default goals: " + "; ".join(goals))
    return AIProfile(ai_name=name, ai_role=role, ai_goals=goals)


KeyCheck = Callable[[str], object]
"""Makes one cheap request with the key; raises ModelRejected (401: reason "bad api key") or
ModelUnavailable (the endpoint could not be reached)."""


def ask_api_key(
    console: Console,
    env_file: Path,
    *,
    check: KeyCheck | None = None,
    why: str = "No OPENAI_API_KEY is set.",
) -> str | None:
    """On a terminal: ask for the key (not shown), check it with one request, offer to save it
    into .env. A refused key is asked again; an unreachable endpoint is said, and saving offered
    anyway. None when the user gives no key."""
    console.warn(why)
    while True:
        key = console.ask(
            "Paste your OpenAI API key (it is not shown; empty to quit):",
            "OPENAI_API_KEY: ",
            hidden=True,
        ).strip()
        if not key:
            return None
        save = f"Save it to {env_file}?"
        try:
            if check is not None:
                with console.waiting("Checking the key..."):
                    check(key)
                console.info("The key works.")
        except ModelRejected as exc:
            if exc.reason == "bad api key":
                console.error(
                    "The endpoint refused this key (401). Paste it again, or an empty line to quit."
                )
                continue
            console.warn(f"The key could not be checked: {exc.message}")
        except ModelUnavailable as exc:
            console.warn(f"The key could not be checked: {exc.message}")
            save = f"Save it to {env_file} anyway?"
        if console.ask_yes_no(save):
            save_env_value(env_file, "OPENAI_API_KEY", key)
            console.info(f"Saved to {env_file}.")
        return key


def save_env_value(env_file: Path, name: str, value: str) -> None:
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.exists() else []
    out, done = [], False
    for line in lines:
        if line.split("=", 1)[0].strip() == name:
            out.append(f"{name}={value}")
            done = True
        else:
            out.append(line)
    if not done:
        out.append(f"{name}={value}")
    env_file.write_text("\n".join(out) + "\n", encoding="utf-8")
