"""generate_image dispatched as the agent would, with the door the session wires (the real
request gateway and accounting), against the test model server's ``images/generations`` and a
local stand-in for a Stable Diffusion WebUI (``tests/support/sd_webui.py``: it mocks that public
service, which needs a GPU)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autogpt.agent.events import CostLine, Shown
from autogpt.agent.limits import Limits
from autogpt.agent.model_calls import ModelCalls, ModelSetup
from autogpt.agent.state import RunState
from autogpt.commands import images
from autogpt.commands.context import CommandContext
from autogpt.commands.registry import CommandResult, Registry
from autogpt.config.settings import Settings
from autogpt.events import RequestAccounted, RunEvent
from autogpt.llm import catalog
from autogpt.llm.client import OpenAIModelClient
from autogpt.session_images import open_images
from autogpt.ui.console import Console
from autogpt.workspace import Workspace
from tests.support.images_api import b64_image, tiny_png, url_image
from tests.support.model_server import ModelServer, error, rate_limited, server_error
from tests.support.proxy_server import RecordingProxy
from tests.support.sd_webui import SdWebUiStandIn

REGISTRY = Registry.from_modules([images])


@dataclass
class Run:
    ctx: CommandContext
    state: RunState
    workspace: Path
    shown: list[Shown] = field(default_factory=list)
    events: list[RunEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def generate(self, prompt: str, **args: Any) -> CommandResult:
        return REGISTRY.dispatch("generate_image", {"prompt": prompt, **args}, self.ctx)

    @property
    def image_requests(self) -> list[RequestAccounted]:
        return [e for e in self.events if isinstance(e, RequestAccounted)]


def start(tmp_path: Path, *, budget: float = 0.0, **values: Any) -> Run:
    """A run's command context with ``ctx.make_image`` wired as ``session.py`` does it."""
    values.setdefault("openai_api_key", "sk-test")
    values.setdefault("image_provider", "openai")
    settings = Settings(_env_file=None, openai_retry_max_wait=0.05, **values)
    workspace = Workspace(tmp_path / "ws")
    workspace.ensure()
    state = RunState()
    state.costs.budget = budget
    run = Run(CommandContext(workspace=workspace, settings=settings), state, workspace.root)
    run.ctx.notify = run.notes.append

    def record(event: RunEvent) -> None:
        run.events.append(event)
        state.apply(event)

    info = catalog.lookup("gpt-3.5-turbo", fallback_window=4000)
    calls = ModelCalls(
        models=ModelSetup(info, info),
        limits=Limits.compute(main=info, main_limit=4000, fast=info, fast_limit=4000),
        client=OpenAIModelClient(settings),
        record=record,
        state=state,
        show=run.shown.append,
    )
    run.ctx.make_image = open_images(settings, calls, Console(no_color=True))
    return run


@pytest.fixture
def server(model_server: ModelServer) -> ModelServer:
    return model_server


def on(server: ModelServer, tmp_path: Path, **values: Any) -> Run:
    return start(tmp_path, openai_api_base=server.base_url, **values)


def test_the_schema_is_pinned() -> None:
    assert REGISTRY.get("generate_image").schema == {  # type: ignore[union-attr]
        "properties": {
            "prompt": {"description": "what the picture shows, in any language", "type": "string"},
            "size": {
                "default": "1024x1024",
                "enum": [
                    "256x256",
                    "512x512",
                    "1024x1024",
                    "1024x1536",
                    "1536x1024",
                    "1024x1792",
                    "1792x1024",
                ],
                "type": "string",
            },
        },
        "required": ["prompt"],
        "type": "object",
    }


@pytest.mark.parametrize(("given", "sent"), [(512, "512x512"), ("1024 * 1024", "1024x1024")])
def test_auto_gpts_size_numbers_are_understood(
    server: ModelServer, tmp_path: Path, given: object, sent: str
) -> None:
    server.images.add(b64_image())
    result = on(server, tmp_path, image_model="dall-e-2").generate("a boat", size=given)
    assert result.ok, result.text
    assert server.images.requests[0].body["size"] == sent


def test_a_size_not_offered_is_refused_with_the_sizes_that_are(tmp_path: Path) -> None:
    result = start(tmp_path).generate("a boat", size="800x600")
    assert not result.ok
    assert "argument 'size': input should be '256x256', '512x512', '1024x1024'" in result.text


def test_a_b64_answer_is_saved_as_a_png_named_after_the_prompt_and_its_price_counted(
    server: ModelServer, tmp_path: Path
) -> None:
    png = tiny_png(1024, 1024)
    server.images.add(b64_image(png))
    run = on(server, tmp_path)
    result = run.generate("A red fox in the snow")
    assert result.ok, result.text
    assert (run.workspace / "a-red-fox-in-the-snow.png").read_bytes() == png
    assert result.text.startswith("Image saved to a-red-fox-in-the-snow.png (1024x1024 PNG, "), (
        result.text
    )
    assert "made by gpt-image-1-mini; cost $0.011" in result.text
    (sent,) = server.images.requests
    assert sent.body == {
        "model": "gpt-image-1-mini",
        "prompt": "A red fox in the snow",
        "n": 1,
        "size": "1024x1024",
        "quality": "medium",
    }
    assert sent.headers["authorization"] == "Bearer sk-test"
    (accounted,) = run.image_requests
    assert (accounted.purpose, accounted.model, accounted.cost) == (
        "image",
        "gpt-image-1-mini",
        0.011,
    )
    assert run.state.costs.total == pytest.approx(0.011)
    assert run.state.costs.image_requests == 1
    (line,) = [e for e in run.shown if isinstance(e, CostLine)]
    assert line.image == "gpt-image-1-mini" and line.request_cost == pytest.approx(0.011)


def test_a_url_answer_is_downloaded_and_the_key_is_not_sent_to_the_url(
    server: ModelServer, tmp_path: Path
) -> None:
    png = tiny_png(1792, 1024)
    server.images.add(url_image(png))
    run = on(server, tmp_path, image_model="dall-e-3")
    result = run.generate("城市的夜景", size="1792x1024")
    assert result.ok, result.text
    assert (run.workspace / "城市的夜景.png").read_bytes() == png
    assert "cost $0.080" in result.text
    (sent,) = server.images.requests
    assert sent.body["response_format"] == "b64_json"
    (download,) = [r for r in server.other_requests if r.method == "GET"]
    assert download.path == "/v1/images/files/1.png"
    assert "authorization" not in download.headers


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("../../etc/x", "etc-x.png"),
        ("/etc/passwd", "etc-passwd.png"),
        ("..\\..\\windows\\win.ini", "windows-win-ini.png"),
        ("~/.ssh/id_rsa", "ssh-id-rsa.png"),
        ("...", "image.png"),
        ("nul", "image-nul.png"),
    ],
)
def test_a_path_trick_in_the_prompt_stays_in_the_workspace(
    server: ModelServer, tmp_path: Path, prompt: str, name: str
) -> None:
    server.images.add(b64_image())
    run = on(server, tmp_path)
    result = run.generate(prompt)
    assert result.ok, result.text
    assert [p.name for p in run.workspace.iterdir()] == [name]
    assert not (tmp_path / "etc").exists()


def test_a_long_prompt_gets_a_bounded_name_and_the_same_prompt_a_new_one(
    server: ModelServer, tmp_path: Path
) -> None:
    server.images.add(b64_image(), b64_image())
    run = on(server, tmp_path)
    prompt = "a very detailed painting of " + "mountains and rivers " * 20
    first, second = run.generate(prompt), run.generate(prompt)
    assert first.ok and second.ok
    names = sorted(p.name for p in run.workspace.iterdir())
    stem = images.file_name(prompt)
    assert len(stem) <= images.MAX_NAME_CHARS
    assert names == sorted([f"{stem}.png", f"{stem}-2.png"])


def test_an_answer_past_the_size_cap_is_dropped_and_not_retried(
    server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("autogpt.llm.images.MAX_IMAGE_BYTES", 4096)
    server.images.add(url_image(tiny_png(1024, 1024) + b"\0" * 8192))
    run = on(server, tmp_path)
    result = run.generate("a huge picture")
    assert not result.ok
    assert "sent an answer larger than 0.00390625 MB; nothing was saved" in result.text
    assert len(server.images.downloads) == 1 and list(run.workspace.iterdir()) == []


def test_a_transient_500_then_429_is_retried_then_the_image_is_saved(
    server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.images.add(server_error(500), rate_limited(retry_after=0), b64_image())
    run = on(server, tmp_path)
    result = run.generate("a lighthouse")
    assert result.ok, result.text
    assert len(server.images.requests) == 3
    out = capsys.readouterr().out
    assert "Image request failed (the image service at" in out
    assert "retry 1/6" in out and "retry 2/6" in out
    assert len(run.image_requests) == 1  # the failed attempts cost nothing


def test_an_endpoint_without_an_images_api_is_a_clear_text_for_the_model(
    server: ModelServer, tmp_path: Path
) -> None:
    """DeepSeek, Qwen and most relays have no images API: a 404, not retried."""
    server.images.add(error(404, "Not Found"))
    run = on(server, tmp_path)
    result = run.generate("a cat")
    assert not result.ok
    assert result.text.startswith("Error: generate_image: the image service at ")
    assert "has no images API or no model 'gpt-image-1-mini'" in result.text
    assert "Traceback" not in result.text
    assert run.image_requests == [] and list(run.workspace.iterdir()) == []


def test_a_refused_prompt_is_told_to_the_model(server: ModelServer, tmp_path: Path) -> None:
    server.images.add(error(400, "Your request was rejected by the safety system."))
    result = on(server, tmp_path).generate("something")
    assert not result.ok
    assert "refused the request (HTTP 400: Your request was rejected" in result.text


def test_bytes_that_are_not_a_png_are_not_saved(server: ModelServer, tmp_path: Path) -> None:
    server.images.add(b64_image(b"GIF89a not a png at all"))
    run = on(server, tmp_path)
    result = run.generate("a gif")
    assert not result.ok
    assert "are not a PNG image" in result.text and "nothing was saved" in result.text
    assert list(run.workspace.iterdir()) == []


def test_an_image_over_the_budget_is_refused_before_the_request(
    server: ModelServer, tmp_path: Path
) -> None:
    run = on(server, tmp_path, image_model="dall-e-3", budget=0.05)
    run.state.costs.add("gpt-3.5-turbo", 1000, 100, 0.02, purpose="main")
    result = run.generate("an expensive picture")
    assert not result.ok
    assert "an image costs $0.040, more than is left of the budget" in result.text
    assert server.images.requests == []


def test_an_unknown_image_model_counts_as_unknown_and_image_price_counts_it(
    server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.images.add(b64_image(), b64_image())
    unknown = on(server, tmp_path / "a", image_model="flux-relay")
    assert "The price of the image model 'flux-relay' is unknown" in capsys.readouterr().out
    assert "price unknown" in unknown.generate("a tree").text
    assert unknown.state.costs.total == 0.0
    priced = on(server, tmp_path / "b", image_model="flux-relay", image_price=0.03)
    assert "cost $0.030" in priced.generate("a tree").text
    assert priced.state.costs.total == pytest.approx(0.03)


def test_the_image_requests_go_through_the_proxy(server: ModelServer, tmp_path: Path) -> None:
    with RecordingProxy(resolve={"images.test": "127.0.0.1"}) as proxy:
        server.images.add(url_image())
        run = start(
            tmp_path,
            image_api_base=f"http://images.test:{server.port}/v1",
            http_proxy=proxy.url,
            no_proxy="",
        )
        result = run.generate("a bridge")
    assert result.ok, result.text
    assert ("POST", f"http://images.test:{server.port}/v1/images/generations") in proxy.seen
    assert ("GET", f"{server.base_url}/images/files/1.png") in proxy.seen


def test_image_provider_none_leaves_the_command_out(tmp_path: Path) -> None:
    run = start(tmp_path, image_provider="none")
    assert run.ctx.make_image is None
    assert REGISTRY.available(run.ctx) == []
    result = run.generate("a dog")
    assert result.text.startswith("Error: generate_image is not available: image generation is off")


def test_a_stable_diffusion_webui_makes_the_size_asked_for_after_a_retry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SdWebUiStandIn(failures=[500], auth="me:secret") as webui:
        run = start(
            tmp_path, image_provider="sdwebui", sd_webui_url=webui.url, sd_webui_auth="me:secret"
        )
        result = run.generate("a castle on a hill", size="512x512")
    out = capsys.readouterr().out
    assert f"Image generation: on (sdwebui at {webui.url}/sdapi/v1/txt2img; $0 per image)" in out
    assert "HTTP 500 CUDA out of memory), retry 1/6" in out
    assert result.ok, result.text
    assert result.text.startswith("Image saved to a-castle-on-a-hill.png (512x512 PNG")
    assert "made by stable-diffusion-webui; cost $0.000" in result.text
    assert len(webui.requests) == 2
    headers, body = webui.requests[-1]
    assert body["prompt"] == "a castle on a hill"
    assert (body["width"], body["height"]) == (512, 512)
    assert headers["authorization"] == "Basic " + base64.b64encode(b"me:secret").decode()
    assert run.image_requests[0].model == "stable-diffusion-webui"


def test_a_webui_that_is_not_running_is_a_clear_text(tmp_path: Path) -> None:
    with SdWebUiStandIn() as webui:
        url = webui.url
    result = start(tmp_path, image_provider="sdwebui", sd_webui_url=url).generate("x")
    assert not result.ok
    assert "could not be reached: connection refused. Go on without images." in result.text
