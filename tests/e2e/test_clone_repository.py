"""clone_repository from the agent's side: the model asks for a clone of a private repository
(a real bare repository on a local git server standing in for GitHub, which checks the
credentials); the terminal says cloning is on, the model sees the tree and the README, and the
token shows nowhere: not on the terminal, not in the model's requests, logs, journal or clone."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.git_server import GitServer, make_repository
from tests.support.model_script import autogpt_reply
from tests.support.model_server import ModelServer

TOKEN = "ghp_EndToEndToken0123456789"


def test_the_model_clones_a_private_repository_and_the_token_shows_nowhere(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    make_repository(tmp_path / "served", {"README.md": "# Ice cream data\n", "data.csv": "a,b\n"})
    with GitServer(tmp_path / "served", credentials=("octo", TOKEN)) as server:
        model_server.script(
            [
                autogpt_reply("clone_repository", {"url": server.url(), "clone_path": "data"}),
                autogpt_reply("task_complete", {"reason": "cloned"}),
            ]
        )
        env = agent_env(
            model_server,
            ALLOW_PRIVATE_URLS="true",
            GITHUB_USERNAME="octo",
            GITHUB_API_KEY=TOKEN,
            GITHUB_HOSTS=server.url().rsplit("/", 1)[0],
        )
        done = run_agent(model_server, "-c", "-l", "4", "-y", env=env)
        served = list(server.requests)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "GITHUB_API_KEY" not in done.stdout  # no "not read any more" note: they are read
    assert "Cloning: on (git " in done.stdout
    assert f"GitHub credentials set for {server.url().rsplit('/', 1)[0]}" in done.stdout
    assert f"Cloning {server.url()} into data" in done.stdout
    assert served and all(r.authorized for r in served)
    assert (workspace / "data" / "data.csv").read_text() == "a,b\n"
    result = model_server.requests[1].messages[-1]["content"]
    assert "README.md (first lines):\n# Ice cream data" in result
    assert "Top of the tree:\n  data.csv\n  README.md" in result
    assert TOKEN not in done.stdout + done.stderr
    assert all(TOKEN not in str(r.messages) for r in model_server.requests)
    written = [p for d in ("logs", ".autogpt") for p in (tmp_path / d).rglob("*") if p.is_file()]
    written += [p for p in (workspace / "data" / ".git").rglob("*") if p.is_file()]
    assert any(p.name.endswith(".jsonl") for p in written)
    assert [p for p in written if TOKEN.encode() in p.read_bytes()] == []
