"""``./run.sh`` in agent mode, the README's first command, on a checkout whose ``.venv`` is
already installed (the install itself is what CI's fresh clone exercises with ``./run.sh test``):
it must create ``.env`` from the template and start the agent, under ``set -euo pipefail``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="run.sh is the POSIX script")


def _stamp(checkout: Path) -> str:
    """What run.sh writes after an install: the cksum of pyproject.toml + requirements.txt."""
    files = " ".join(str(checkout / n) for n in ("pyproject.toml", "requirements.txt"))
    out = subprocess.run(
        f"cat {files} | cksum", shell=True, capture_output=True, text=True, check=True
    )
    return out.stdout.split()[0]


def _checkout(tmp_path: Path) -> Path:
    """run.sh and the files it reads, with a .venv whose python is this interpreter."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("run.sh", "pyproject.toml", "requirements.txt", ".env.template"):
        shutil.copy2(REPO / name, checkout / name)
    bin_dir = checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    (checkout / ".venv" / ".autogpt-installed").write_text(_stamp(checkout) + "\n")
    return checkout


def _version_via_run_sh(checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "./run.sh", "--version"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_sh_creates_env_from_the_template_and_starts_the_agent(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    env["PYTHONPATH"] = str(REPO)
    done = _version_via_run_sh(checkout, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Created .env from .env.template" in done.stdout
    assert "autogpt" in done.stdout.lower() and "Installing" not in done.stdout
    assert (checkout / ".env").read_text() == (REPO / ".env.template").read_text()
    again = _version_via_run_sh(checkout, env)
    assert again.returncode == 0 and "Created .env" not in again.stdout
