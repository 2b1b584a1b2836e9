"""Azure OpenAI through the SDK's AzureOpenAI client, with the settings Auto-GPT users have:
USE_AZURE=True and 0.2's OPENAI_AZURE_* names, or 0.3's azure.yaml. The test server answers at
Azure's paths (``/openai/deployments/<deployment>/...?api-version=``) and wants Azure's
``api-key`` header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from autogpt.config.settings import load_settings
from autogpt.errors import ConfigError
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.types import ChatRequest
from tests.support.model_script import reply
from tests.support.model_server import ModelServer

Start = Callable[..., ModelServer]
KEY = "azure-key-123456"


def _root(server: ModelServer) -> str:
    return server.base_url.removesuffix("/v1")


def test_auto_gpt_02_azure_names_reach_the_chat_and_embedding_deployments(
    model_server_factory: Start, env: pytest.MonkeyPatch
) -> None:
    server = model_server_factory(reply("ok"), api_key=KEY)
    for name, value in {
        "USE_AZURE": "True",
        "OPENAI_API_KEY": KEY,
        "OPENAI_AZURE_API_BASE": _root(server),
        "OPENAI_AZURE_API_VERSION": "2024-10-21",
        "OPENAI_AZURE_CHAT_DEPLOYMENT_ID": "chat-dep",
        "OPENAI_AZURE_EMBEDDINGS_DEPLOYMENT_ID": "embed-dep",
        "FAST_LLM_MODEL": "gpt-4o-mini",
    }.items():
        env.setenv(name, value)
    client = OpenAIModelClient(load_settings())
    messages = [{"role": "user", "content": "hi"}]
    assert client.complete(ChatRequest("gpt-4o-mini", messages, max_tokens=20)).text == "ok"
    client.embed(["冰淇淋"], model="text-embedding-3-small", dimensions=None)
    (chat,) = server.requests
    assert chat.path == "/openai/deployments/chat-dep/chat/completions?api-version=2024-10-21"
    assert chat.headers["api-key"] == KEY and chat.model == "chat-dep"
    (embedding,) = server.embedding_requests
    assert embedding.path.startswith("/openai/deployments/embed-dep/embeddings?")


def test_auto_gpt_03_azure_yaml_maps_each_model_to_its_deployment(
    model_server_factory: Start, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = model_server_factory(reply("fast"), reply("smart"), api_key=KEY)
    (tmp_path / "azure.yaml").write_text(
        f"azure_api_type: azure\nazure_api_base: {_root(server)}\n"
        "azure_api_version: 2024-06-01\nazure_model_map:\n"
        "  fast_llm_model_deployment_id: fast-dep\n"
        "  smart_llm_model_deployment_id: smart-dep\n",
        encoding="utf-8",
    )
    env.setenv("USE_AZURE", "True")
    env.setenv("OPENAI_API_KEY", KEY)
    settings = load_settings(fast_llm_model="gpt-4o-mini", smart_llm_model="gpt-4.1")
    client = OpenAIModelClient(settings)
    messages = [{"role": "user", "content": "hi"}]
    client.complete(ChatRequest("gpt-4o-mini", messages, max_tokens=20))
    client.complete(ChatRequest("gpt-4.1", messages, max_tokens=20))
    paths = [r.path.split("?")[0] for r in server.requests]
    assert paths == [
        "/openai/deployments/fast-dep/chat/completions",
        "/openai/deployments/smart-dep/chat/completions",
    ]
    assert all(r.path.endswith("api-version=2024-06-01") for r in server.requests)


def test_use_azure_without_an_endpoint_says_which_setting_is_missing(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("USE_AZURE", "True")
    with pytest.raises(ConfigError, match="OPENAI_AZURE_API_BASE"):
        OpenAIModelClient(load_settings())
