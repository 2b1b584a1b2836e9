"""What the model and the user are told about a run (pure formatting, no sandbox needed)."""

from __future__ import annotations

import os
from pathlib import Path

from autogpt.sandbox.base import ExecResult, Stream
from autogpt.sandbox.output import FileChanges, diff, fit, for_model, for_user, snapshot


def tokens(text: str) -> int:
    return len(text.encode("utf-8")) // 3 + 1


def result(stdout: str = "", stderr: str = "", code: int | None = 0, **kw: object) -> ExecResult:
    return ExecResult(
        backend="bubblewrap",
        exit_code=code,
        stdout=Stream.of(stdout.encode()),
        stderr=Stream.of(stderr.encode()),
        duration=0.2,
        memory_limit_mb=64,
        timeout=5,
        **kw,  # type: ignore[arg-type]
    )


TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/workspace/job.py", line 9, in <module>\n'
    "    main()\n"
    "KeyError: 'price'\n"
)


def test_snapshot_diff_reports_created_changed_and_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("same", encoding="utf-8")
    (tmp_path / "edited.txt").write_text("old", encoding="utf-8")
    (tmp_path / "gone.txt").write_text("x", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    before = snapshot(tmp_path)
    (tmp_path / "edited.txt").write_text("new and longer", encoding="utf-8")
    os.utime(tmp_path / "edited.txt", ns=(1, 1))
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "made.csv").write_text("a,b\n", encoding="utf-8")
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"\0")
    changes = diff(before, snapshot(tmp_path))
    assert changes.created == [("sub/made.csv", 4)]
    assert changes.changed == [("edited.txt", 14)]
    assert changes.deleted == ["gone.txt"]


def test_the_traceback_survives_a_huge_stdout_within_the_budget() -> None:
    stdout = "".join(f"row {i}\n" for i in range(50_000))
    text = for_model(
        "python3 job.py",
        result(stdout, TRACEBACK, 1),
        diff({}, {}),
        budget_tokens=400,
        count=tokens,
    )
    assert tokens(text) <= 400
    assert "failed with exit status 1" in text
    assert "KeyError: 'price'" in text and "row 0" in text and "row 49999" in text
    assert "[Output cut to fit: about" in text and "stdout (from the middle)" in text


def test_a_short_run_is_shown_whole_without_a_cut_note() -> None:
    text = for_model(
        "python3 ok.py",
        result("42\n"),
        diff({}, {"out.txt": (3, 1)}),
        budget_tokens=500,
        count=tokens,
    )
    assert text.splitlines() == [
        "`python3 ok.py` finished with exit status 0 (0.2 s, local sandbox).",
        "--- stdout ---",
        "42",
        "Files created in the workspace: out.txt (3 bytes)",
    ]


def test_timeout_and_out_of_memory_are_named_with_their_settings() -> None:
    timed = for_model(
        "python3 a.py",
        result(code=None, timed_out=True),
        diff({}, {}),
        budget_tokens=300,
        count=tokens,
    )
    assert "killed: timed out after 5 s (EXECUTE_TIMEOUT)" in timed
    oom = for_model(
        "python3 a.py",
        result(code=137, oom_killed=True),
        diff({}, {}),
        budget_tokens=300,
        count=tokens,
    )
    assert "killed: out of memory (limit 64 MB, EXECUTE_MEMORY_LIMIT_MB)" in oom


def test_the_user_sees_the_programs_traceback_labelled_and_indented() -> None:
    shown = for_user("python3 job.py", result("", TRACEBACK, 1))
    lines = shown.splitlines()
    assert lines[0].startswith("`python3 job.py` failed with exit status 1")
    assert lines[1] == "  program output (stderr, last 4 lines):"
    assert all(line.startswith("    | ") for line in lines[2:])
    ok = for_user("python3 ok.py", result("fine"), FileChanges(created=[("out.txt", 4)]))
    assert ok.splitlines() == [
        "`python3 ok.py` finished with exit status 0 (0.2 s, local sandbox).",
        "  program output (stdout, last 1 lines):",
        "    | fine",
        "Files created in the workspace: out.txt (4 bytes)",
    ]


def test_fit_keeps_the_requested_end() -> None:
    text = "\n".join(f"line {i}" for i in range(1000))
    tail, cut = fit(text, 30, tokens, "tail")
    assert tail.endswith("line 999") and cut > 0 and tokens(tail) <= 30
    head, _ = fit(text, 30, tokens, "head")
    assert head.startswith("line 0")
