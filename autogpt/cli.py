"""Flags -> Settings overrides -> builds the objects -> runs the agent. The only sys.exit.

``--help`` and ``--version`` import nothing heavy: arguments are parsed first, and settings,
openai and rich are imported only after that.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autogpt import __version__

MAX_GOALS = 5
"""config/ai_profile.py's cap, not imported from there so that ``--help`` stays light."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _dollars(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in dollars, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="autogpt",
        description="An autonomous agent: give it a name, a role and up to 5 goals; it works "
        "toward them in cycles, asking before each command unless --continuous.",
        epilog="Settings come from the environment and .env (see .env.template). Exit status: "
        "0 finished or exited by you, 1 internal error, 2 usage or configuration error, "
        "3 stopped before finishing (limit, budget, stuck, model unavailable, input closed), "
        "130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 141 standard output closed (| head); after "
        "these four the run is saved and --resume continues it.",
    )
    p.add_argument(
        "-c",
        "--continuous",
        action="store_true",
        help="run without asking for authorisation (dangerous; see --continuous-limit)",
    )
    p.add_argument(
        "-l",
        "--continuous-limit",
        type=_positive_int,
        metavar="N",
        help="with --continuous: stop after N cycles",
    )
    models = p.add_mutually_exclusive_group()
    models.add_argument("--gpt3only", action="store_true", help="use FAST_LLM_MODEL for everything")
    models.add_argument(
        "--gpt4only",
        action="store_true",
        help="use SMART_LLM_MODEL (within SMART_TOKEN_LIMIT) for everything",
    )
    p.add_argument(
        "-C",
        "--ai-settings",
        metavar="FILE",
        help="the AI settings file (default: AI_SETTINGS_FILE or ai_settings.yaml)",
    )
    p.add_argument(
        "-y", "--skip-reprompt", action="store_true", help="reuse the AI settings without asking"
    )
    p.add_argument(
        "-w",
        "--workspace-directory",
        metavar="DIR",
        help="the agent's workspace (default: ./auto_gpt_workspace)",
    )
    p.add_argument(
        "-m",
        "--use-memory",
        choices=["no_memory", "local", "postgres"],
        metavar="BACKEND",
        help="long-term memory: no_memory, local or postgres",
    )
    p.add_argument(
        "--wipe-memory", action="store_true", help="clear the long-term memory before the run"
    )
    p.add_argument(
        "--budget",
        type=_dollars,
        metavar="USD",
        help="stop before a request would exceed this many dollars (0: no budget)",
    )
    p.add_argument(
        "--allow-downloads",
        action="store_true",
        help="offer the download_file command to the agent",
    )
    p.add_argument(
        "--ai-name", metavar="NAME", help="with --goal: the AI's name (default: Entrepreneur-GPT)"
    )
    p.add_argument("--ai-role", metavar="ROLE", help="with --goal: the AI's role")
    p.add_argument(
        "--goal",
        action="append",
        metavar="TEXT",
        help=f"a goal (repeat for more, at most {MAX_GOALS}): run with these instead of the AI "
        "settings file, which is neither read nor written",
    )
    p.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        metavar="ID",
        help="continue a saved session (default: the latest)",
    )
    p.add_argument("--list-sessions", action="store_true", help="list saved sessions and exit")
    p.add_argument(
        "--output-format",
        choices=["text", "jsonl"],
        default="text",
        help="jsonl: standard output carries only the run's events, one JSON object per line, "
        'the last one {"type": "end", ...}; text for people goes to standard error',
    )
    p.add_argument(
        "--speak",
        action="store_true",
        help="say each proposal's 'speak' thought and the run's outcome aloud (SPEAK_MODE; "
        "engine: TTS_PROVIDER)",
    )
    p.add_argument(
        "--include-partial",
        action="store_true",
        help="with --output-format jsonl: also each reply's thought as it streams in "
        '({"type": "thought_delta", ...} lines; never journaled)',
    )
    p.add_argument("--skip-news", action="store_true", help="accepted for compatibility")
    p.add_argument(
        "--debug",
        action="store_true",
        help="print per-request details; full bodies go to logs/debug.jsonl",
    )
    p.add_argument("--version", action="version", version=f"autogpt {__version__}")
    return p


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.continuous_limit and not args.continuous and not args.resume:
        parser.error("--continuous-limit can only be used with --continuous")
    if args.include_partial and args.output_format != "jsonl":
        parser.error("--include-partial goes with --output-format jsonl")
    _check_goals(parser, args)
    return args


def _check_goals(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    goals = [goal.strip() for goal in args.goal or []]
    if (args.ai_name or args.ai_role) and not goals:
        parser.error("--ai-name and --ai-role go with at least one --goal")
    if goals and args.resume:
        parser.error("--goal starts a new session; it cannot be combined with --resume")
    if len(goals) > MAX_GOALS:
        parser.error(f"at most {MAX_GOALS} goals, got {len(goals)} --goal")
    if any(not goal for goal in goals):
        parser.error("--goal needs a text")
    args.goal = goals or None


def main(argv: Sequence[str] | None = None) -> None:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["serve"]:  # the Agent Protocol server (autogpt/serve/): flags of its own
        from autogpt.serve.cli import main as serve

        sys.exit(serve(given[1:]))
    args = parse_args(argv)
    from autogpt.app import run_app

    sys.exit(run_app(args))
