"""The recording proxy, driven by urllib, httpx2, http.client (CONNECT) and the openai client.

The model server stands in for the public internet; ``model.test`` resolves only in the proxy,
so a request that bypassed it would fail to connect.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from tests.support.model_server import ModelServer, reply
from tests.support.proxy_server import RecordingProxy

CHAT: dict[str, Any] = {"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with RecordingProxy(resolve={"model.test": "127.0.0.1"}) as running:
        yield running


def fake_host_url(server: ModelServer) -> str:
    return f"http://model.test:{server.port}/v1"


def test_urllib_get_goes_through_the_proxy(
    proxy: RecordingProxy, model_server: ModelServer
) -> None:
    url = f"{fake_host_url(model_server)}/models"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.url}))

    with opener.open(url, timeout=10) as response:
        listed = json.loads(response.read())

    assert listed["object"] == "list"
    assert proxy.seen == [("GET", url)]
    assert model_server.other_requests[0].headers["host"] == f"model.test:{model_server.port}"


def test_httpx2_post_is_forwarded_with_its_body(
    proxy: RecordingProxy, model_server: ModelServer
) -> None:
    model_server.add(reply("through the proxy"))
    url = f"{fake_host_url(model_server)}/chat/completions"

    with httpx2.Client(proxy=proxy.url) as client:
        response = client.post(url, json=CHAT)

    assert response.json()["choices"][0]["message"]["content"] == "through the proxy"
    assert proxy.seen == [("POST", url)]
    assert model_server.requests[0].body == CHAT
    assert "proxy-connection" not in model_server.requests[0].headers


def test_connect_tunnels_to_the_target(proxy: RecordingProxy, model_server: ModelServer) -> None:
    port = int(proxy.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.set_tunnel("model.test", model_server.port)
    try:
        connection.request("GET", "/v1/models")
        listed = json.loads(connection.getresponse().read())
    finally:
        connection.close()

    assert listed["object"] == "list"
    assert proxy.seen == [("CONNECT", f"model.test:{model_server.port}")]


def test_openai_client_honours_http_proxy_from_the_environment(
    env: pytest.MonkeyPatch, proxy: RecordingProxy, model_server: ModelServer
) -> None:
    model_server.add(reply("proxied"))
    env.setenv("HTTP_PROXY", proxy.url)

    base_url = fake_host_url(model_server)
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        answer = client.chat.completions.create(**CHAT)

    assert answer.choices[0].message.content == "proxied"
    assert proxy.seen == [("POST", f"{base_url}/chat/completions")]


def test_no_proxy_from_the_env_fixture_keeps_localhost_direct(
    env: pytest.MonkeyPatch, proxy: RecordingProxy, model_server: ModelServer
) -> None:
    model_server.add(reply("direct"))
    env.setenv("HTTP_PROXY", proxy.url)

    with openai.OpenAI(base_url=model_server.base_url, api_key="k", max_retries=0) as client:
        answer = client.chat.completions.create(**CHAT)

    assert answer.choices[0].message.content == "direct"
    assert proxy.seen == []


def test_an_unreachable_upstream_is_a_502(proxy: RecordingProxy) -> None:
    with ModelServer() as stopped:
        url = f"http://model.test:{stopped.port}/v1/models"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.url}))

    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(url, timeout=10)
    caught.value.close()

    assert caught.value.code == 502
    assert proxy.seen == [("GET", url)]
