"""generate_image in a real run: ``python -m autogpt`` against the scripted server, which answers
both the chat requests and ``images/generations`` (``tests/support/images_api.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from autogpt.journal.resume import load_session
from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.images_api import b64_image, tiny_png
from tests.support.model_script import autogpt_reply, message_text
from tests.support.model_server import ModelServer, tool_call_reply


def _report(tmp_path: Path) -> str:
    (report,) = (tmp_path / ".autogpt" / "sessions").glob("*/report.md")
    return report.read_text(encoding="utf-8")


def test_the_model_calls_generate_image_and_the_png_lands_in_the_workspace_at_its_price(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    png = tiny_png(1024, 1024)
    model_server.images.add(b64_image(png, revised_prompt="A poster of ice cream cones"))
    model_server.add(
        autogpt_reply("generate_image", {"prompt": "冰淇淋 海报 / poster", "size": "1024x1024"}),
        autogpt_reply("task_complete", {"reason": "poster made"}),
    )
    env = agent_env(model_server, IMAGE_PROVIDER="openai")
    done = run_agent(model_server, "-c", "-l", "3", "-y", "--budget", "1", env=env)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert (workspace / "冰淇淋-海报-poster.png").read_bytes() == png
    assert (
        f"Image generation: on (openai, gpt-image-1-mini at {model_server.base_url}"
        "/images/generations; $0.011 per 1024x1024 image)"
    ) in out
    assert "Cost: $0.0110 this image (gpt-image-1-mini), $0." in out
    assert "of $1.00 budget" in out
    system = message_text(model_server.requests[0].messages[0])
    assert "generate_image: Generate an image from a text prompt" in system
    told = model_server.requests[1].last_user_message or ""
    assert "Image saved to 冰淇淋-海报-poster.png (1024x1024 PNG" in told
    assert "The service revised the prompt to: 'A poster of ice cream cones'" in told
    report = _report(tmp_path)
    assert "- gpt-image-1-mini: 1 images, $0.0110" in report
    (folder,) = (tmp_path / ".autogpt" / "sessions").iterdir()
    replayed = load_session(tmp_path / ".autogpt", folder.name).state  # what --resume rebuilds
    assert replayed.costs.per_model["gpt-image-1-mini"].dollars == 0.011
    assert replayed.costs.image_requests == 1


def test_image_provider_none_leaves_generate_image_out_of_the_prompt_and_the_tools(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    write_profile(tmp_path)
    model_server.add(tool_call_reply("task_complete", {"reason": "done"}))
    env = agent_env(model_server, OPENAI_FUNCTIONS="true")  # IMAGE_PROVIDER unset: none
    done = run_agent(model_server, "-c", "-l", "2", "-y", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    (request,) = model_server.requests
    names = [tool["function"]["name"] for tool in request.tools or []]
    assert "task_complete" in names and "generate_image" not in names
    assert "generate_image" not in json.dumps(request.body)
    assert "Image generation" not in done.stdout
