"""Builds the objects of a run from the parsed flags and runs it; maps errors to exit codes.

Imported by ``cli`` only after the arguments are parsed, so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from autogpt import shutdown
from autogpt.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, AutogptError, UsageError
from autogpt.ui.console import Console

log = logging.getLogger("autogpt")


def run_app(args: argparse.Namespace) -> int:
    shutdown.install()
    console = Console(debug=args.debug)
    error_log = Path("logs/error.log")
    try:
        from autogpt import session

        return session.start(args, console)
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
    except Exception as exc:  # our bug: the traceback goes to the log, one line to the user
        console.stop_spinner()
        log.exception("internal error")
        console.error(f"Internal error: {type(exc).__name__}: {exc}. The traceback is in "
                      f"{error_log}.")
        return EXIT_INTERNAL
