"""The command the user started autogpt with, so that a printed hint ("Resume with: ...") works
when pasted: ``./run.sh`` (which says so in ``AUTOGPT_LAUNCHER``), the ``autogpt`` console
script, or the very Python that ran ``-m autogpt`` (a bare ``python`` is often another one,
without the package: ``ModuleNotFoundError``)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence

LAUNCHER_VARIABLE = "AUTOGPT_LAUNCHER"


def launcher(
    environ: Mapping[str, str] | None = None,
    argv: Sequence[str] | None = None,
    executable: str | None = None,
) -> str:
    """The command prefix, ready for a shell."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    executable = executable or sys.executable
    given = environ.get(LAUNCHER_VARIABLE, "").strip()
    if given:
        return given
    script = argv[0] if argv else ""
    if os.path.basename(script) == "autogpt":
        return "autogpt" if _on_path("autogpt", script) else shlex.quote(script)
    for name in ("python3", "python"):
        if _on_path(name, executable):
            return f"{name} -m autogpt"
    return f"{shlex.quote(executable)} -m autogpt"


def resume_command(session_id: str) -> str:
    return f"{launcher()} --resume {session_id}"


def _on_path(name: str, path: str) -> bool:
    """True when ``name`` typed in a shell runs ``path`` itself (not a file it links to: a venv's
    python is a link to the system one, which lacks the package)."""
    found = shutil.which(name)
    return found is not None and os.path.abspath(found) == os.path.abspath(path)
