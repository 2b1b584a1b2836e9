"""The two Agent Protocol clients in use, each in a virtual environment of its own: both pin
pydantic 1 (and old openai or urllib3), which the project's venv cannot hold.

Made once under ``~/.cache/autogpt/client-venvs/`` (``AUTOGPT_CLIENT_VENVS`` elsewhere) by the
first test that needs one, from PyPI; outside the checkout, or agbenchmark's own pytest would
read the project's pytest settings (warnings as errors) from the pyproject.toml above it.
agbenchmark is installed with ``--no-compile``: else
pip writes ``__pycache__`` folders into its challenges' artifact folders, and agbenchmark then
uploads a folder as a file (``IsADirectoryError`` in four code challenges).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.system import need

AGBENCHMARK = ("agbenchmark", "agbenchmark==0.0.10")
AGENT_PROTOCOL_CLIENT = ("agent-protocol-client", "agent-protocol-client==1.1.0")


def venv_python(client: tuple[str, str]) -> Path:
    """The Python of the client's venv, made (and installed into) when it is missing."""
    name, requirement = client
    base = Path(
        os.environ.get("AUTOGPT_CLIENT_VENVS") or Path.home() / ".cache/autogpt/client-venvs"
    )
    folder = base / requirement.replace("==", "-")
    python = folder / "bin" / "python"
    done = folder / ".installed"
    if done.exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile", requirement],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    need(install.returncode == 0, f"{requirement} could not be installed: {install.stderr[-500:]}")
    done.write_text(requirement + "\n", encoding="utf-8")
    return python


def script(client: tuple[str, str], name: str) -> Path:
    """An entry point of the client's venv (``agbenchmark``)."""
    return venv_python(client).parent / name
