"""The error hierarchy and exit codes.

Two families, never mixed:

* ``AutogptError`` ends the run; ``cli`` prints its one-line ``message`` and exits with
  ``exit_code``.
* ``CommandError`` / ``ReplyError`` are caused by the model, a web page or a file; they become text
  for the model and the run goes on. They never reach ``cli``.

This module imports nothing from the package.
"""

from __future__ import annotations

EXIT_FINISHED = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130


class AutogptError(Exception):
    """Ends the run. Raised only after state is saved."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AutogptError):
    """A bad flag or value given by the user."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A bad setting in the environment or `.env` (one line per variable)."""


class RunStopped(AutogptError):
    """The run stopped before finishing: a limit, the budget, stuck, model unavailable."""

    exit_code = EXIT_STOPPED

    def __init__(self, message: str, *, reason: str = "stopped") -> None:
        super().__init__(message)
        self.reason = reason


class CommandError(Exception):
    """Raised inside a command or the registry; becomes ``Error: ...`` text for the model."""


class ReplyError(Exception):
    """The model's reply was unusable; the message says what was wrong, for the model."""


class ModelUnavailable(RunStopped):
    """The model could not be reached after the retries were spent (exit 3, resumable)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="model unavailable")


class ModelRejected(AutogptError):
    """A non-retryable answer from the model endpoint: bad key, unknown model, no quota."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE, reason: str = "rejected"):
        super().__init__(message)
        self.exit_code = exit_code
        self.reason = reason
