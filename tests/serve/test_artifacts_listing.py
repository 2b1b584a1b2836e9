"""The workspace as artifacts, listed by :class:`autogpt.serve.artifacts.Artifacts` on real
files: what is listed, in which order, and what is left out (symlinks, tool folders)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from autogpt.serve.artifacts import Artifacts


def _workspace(tmp_path: Path) -> tuple[Artifacts, Path]:
    root = tmp_path / "ws"
    (root / "b" / "c").mkdir(parents=True)
    (root / "a").mkdir()
    (root / "__pycache__").mkdir()
    (root / ".git").mkdir()
    for name in ("z.txt", "m.txt", "b/c/deep.txt", "b/y.txt", "a/x.txt"):
        (root / name).write_text(name, encoding="utf-8")
    (root / "__pycache__" / "skip.pyc").write_bytes(b"x")
    (root / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, root / "link.txt")
    os.symlink(root / "a", root / "linked_dir")
    os.symlink(tmp_path / "missing", root / "broken.txt")
    os.mkfifo(root / "pipe")
    return Artifacts(root, tmp_path / "data"), root


def test_the_listing_holds_regular_files_in_walk_order_and_leaves_out_links_and_tool_folders(
    tmp_path: Path,
) -> None:
    artifacts, _ = _workspace(tmp_path)
    paths = [a.path for a in artifacts.all()]
    assert paths == ["m.txt", "z.txt", "a/x.txt", "b/y.txt", "b/c/deep.txt"]


def test_an_uploaded_file_is_listed_as_not_agent_created_with_its_folder(tmp_path: Path) -> None:
    artifacts, root = _workspace(tmp_path)
    artifacts.upload(io.BytesIO(b"up"), file_name="u.txt", folder="in", limit=100)
    found = {a.path: a for a in artifacts.all()}
    assert found["in/u.txt"].agent_created is False
    assert found["a/x.txt"].agent_created is True
    listed = found["in/u.txt"].to_json()
    assert (listed["file_name"], listed["relative_path"]) == ("u.txt", "in")
    assert listed["created_at"].endswith("Z")
    assert artifacts.find(found["b/c/deep.txt"].artifact_id) == (root / "b/c/deep.txt").resolve()


def test_a_changed_file_gets_a_new_created_at(tmp_path: Path) -> None:
    artifacts, root = _workspace(tmp_path)
    before = {a.path: a.created_at for a in artifacts.all()}
    os.utime(root / "m.txt", (1_000_000_000, 1_000_000_000))
    after = {a.path: a.created_at for a in artifacts.all()}
    assert [p for p in after if before.get(p) != after[p]] == ["m.txt"]
    assert after["m.txt"] == "2001-09-09T01:46:40.000Z"
