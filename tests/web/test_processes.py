"""Browsers left by a run that was killed outright are ended at the next browser start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autogpt.web.processes import PROFILE_PREFIX, browser_processes, profile_prefix, sweep_orphans


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def _stand_in_browser(profile: Path) -> subprocess.Popen[bytes]:
    """A process whose command line names the profile, as Chromium's do."""
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", f"--user-data-dir={profile}"],
        start_new_session=True,
    )


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds processes through /proc")
def test_the_browser_of_a_dead_run_is_ended_and_a_live_runs_is_left(tmp_path: Path) -> None:
    orphan = tmp_path / f"{PROFILE_PREFIX}{_dead_pid()}-abc"
    live = tmp_path / f"{profile_prefix()}def"  # this process: a run still going
    foreign = tmp_path / f"{PROFILE_PREFIX}old-style"
    for folder in (orphan, live, foreign):
        folder.mkdir()
    left, kept = _stand_in_browser(orphan), _stand_in_browser(live)
    try:
        deadline = time.monotonic() + 5
        while not browser_processes(str(orphan)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sweep_orphans(tmp_path) == 1
        assert left.wait(5) is not None
        assert not orphan.exists()
        assert live.exists() and foreign.exists() and kept.poll() is None
    finally:
        for process in (left, kept):
            process.kill()
            process.wait()


def test_this_runs_profile_names_its_pid() -> None:
    assert profile_prefix() == f"{PROFILE_PREFIX}{os.getpid()}-"
