"""Builds the objects of a run from the parsed flags and runs it; maps errors to exit codes.

Imported by ``cli`` only after the arguments are parsed, so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from autogpt import shutdown
from autogpt.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, AutogptError, UsageError
from autogpt.ui.console import Console, replace_unencodable_output

if TYPE_CHECKING:
    from autogpt.ui.jsonl import JsonLines

log = logging.getLogger("autogpt")


def run_app(args: argparse.Namespace) -> int:
    replace_unencodable_output()
    shutdown.install()
    jsonl = getattr(args, "output_format", "text") == "jsonl"
    console = Console(debug=args.debug, to_stderr=jsonl)
    sink = None
    if jsonl:
        from autogpt.ui.jsonl import JsonLines

        sink = JsonLines(include_partial=getattr(args, "include_partial", False))
        console.on_warn = sink.warning
    code = _run(args, console, sink)
    if sink is not None:
        sink.end_without_run(code)
    return code


def _run(args: argparse.Namespace, console: Console, sink: JsonLines | None) -> int:
    error_log = Path("logs/error.log")
    try:
        from autogpt import session

        return session.start(args, console, sink)
    except AutogptError as exc:
        console.stop_spinner()
        console.error(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:  # before the run started (the run loop saves and reports)
        stop = shutdown.received()
        shutdown.hold()
        console.stop_spinner()
        console.warn(f"{stop.what} before the run started." if stop else "Interrupted.")
        return stop.exit_code if stop else EXIT_INTERRUPTED
    except EOFError:
        console.stop_spinner()
        console.error("Input closed before setup finished.")
        return UsageError.exit_code
    except OSError as exc:
        if exc.filename is None:
            return _internal_error(console, exc, error_log)
        # A path the user gave (or the folder run from) that cannot be used: theirs to fix.
        console.stop_spinner()
        where = _traceback_to(exc, error_log)
        console.error(f"Cannot use {exc.filename}: {exc.strerror or exc}. (Details: {where})")
        return UsageError.exit_code
    except Exception as exc:
        return _internal_error(console, exc, error_log)


def _internal_error(console: Console, exc: BaseException, error_log: Path) -> int:
    """Our bug: the traceback goes to the log, one line to the user."""
    console.stop_spinner()
    where = _traceback_to(exc, error_log)
    console.error(f"Internal error: {type(exc).__name__}: {exc}. The traceback is in {where}.")
    return EXIT_INTERNAL


def _traceback_to(exc: BaseException, error_log: Path) -> Path:
    """Log the traceback; before logging is set up (or when ``logs/`` is unusable) it goes to a
    file in the temporary folder, never to the terminal."""
    if logging.getLogger().handlers:
        log.error("run ended by %s", type(exc).__name__, exc_info=exc)
        return error_log
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix="autogpt-error-", suffix=".log", delete=False
    ) as handle:
        handle.write("".join(traceback.format_exception(exc)))
    return Path(handle.name)
