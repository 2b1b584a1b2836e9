"""Running model-written code and commands in isolation (issue D).

``select.py`` chooses the backend once per run (Docker, the local bubblewrap sandbox, or none) and
says why in one line; ``docker.py`` and ``local.py`` run one program; ``output.py`` turns the
result into text for the model and the user; ``runner.py`` runs one program in the workspace
and reports the files it changed (``commands/code.py`` turns that into a command's result).
Importing this package is cheap: the Docker SDK is imported only when Docker is probed.
"""

from autogpt.sandbox.base import Backend, ExecRequest, ExecResult, Limits, SandboxUnavailable
from autogpt.sandbox.select import BackendChoice, Executor, executor, executor_for

__all__ = [
    "Backend",
    "BackendChoice",
    "ExecRequest",
    "ExecResult",
    "Executor",
    "Limits",
    "SandboxUnavailable",
    "executor",
    "executor_for",
]
