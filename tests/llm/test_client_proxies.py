"""The model client behind real proxies (squid with basic auth, microsocks with a password) and
in front of endpoints that do not answer: who is named, how often and how long it retries."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autogpt.config.settings import Settings
from autogpt.errors import ConfigError, ModelRejected, ModelUnavailable
from autogpt.llm.client import OpenAIModelClient
from autogpt.llm.retry import Failure
from autogpt.llm.types import ChatRequest
from tests.e2e.harness import agent_env, write_profile
from tests.support.model_server import ModelServer, reply, server_error
from tests.support.netns import OtherHost
from tests.support.real_proxies import Microsocks, Squid, free_port

Wait = tuple[int, int, float, Failure]

HELLO = ChatRequest(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=20
)


def client_for(base_url: str, waits: list[Wait] | None = None, **values: Any) -> OpenAIModelClient:
    defaults: dict[str, Any] = {
        "openai_max_retries": 3,
        "openai_retry_max_wait": 0.05,
        "no_proxy": None,
    }
    settings = Settings(
        _env_file=None,
        openai_api_key="sk-test",
        openai_api_base=base_url,
        **{**defaults, **values},
    )

    def on_wait(attempt: int, total: int, seconds: float, failure: Failure) -> None:
        if waits is not None:
            waits.append((attempt, total, seconds, failure))

    return OpenAIModelClient(settings, on_wait=on_wait)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_407_from_squid_names_the_proxy_and_is_not_retried(
    model_server: ModelServer, scheme: str
) -> None:
    """http: squid answers the POST itself with 407; https: it refuses the CONNECT with 407."""
    base = model_server.base_url.replace("http://", f"{scheme}://")
    waits: list[Wait] = []
    with Squid(credentials=("alice", "s3cret")) as squid:
        wrong = squid.url_with("alice", "wrong-pass")
        client = client_for(base, waits, **{f"{scheme}_proxy": wrong})
        with pytest.raises(ModelRejected) as info:
            client.complete(HELLO)
        logged = squid.entries(at_least=1)
    message = info.value.message
    assert message.startswith(
        f"The proxy at http://alice:***@127.0.0.1:{squid.port} refused the credentials (407"
    )
    assert f"{scheme.upper()}_PROXY" in message and "wrong-pass" not in message
    assert "model endpoint" not in message and "\n" not in message
    assert info.value.exit_code == 2 and waits == []
    assert len(logged) == 1 and logged[0].startswith("TCP_DENIED/407 ")


def test_squid_with_the_right_password_carries_the_model_request(model_server: ModelServer) -> None:
    model_server.add(reply("through squid"))
    with Squid(credentials=("alice", "s3cret")) as squid:
        answer = client_for(model_server.base_url, http_proxy=squid.url).complete(HELLO)
        logged = squid.entries(at_least=1)
    assert answer.text == "through squid"
    assert logged == [f"TCP_MISS/200 POST {model_server.base_url}/chat/completions"]


def test_a_socks5_proxy_with_a_password_carries_the_model_request(
    model_server: ModelServer, tmp_path: Path
) -> None:
    """microsocks connects onward from 127.0.0.5: the server sees the request come from it."""
    model_server.add(reply("through socks"))
    with Microsocks(tmp_path, credentials=("bob", "pa55"), bind="127.0.0.5") as socks:
        answer = client_for(model_server.base_url, all_proxy=socks.url).complete(HELLO)
    assert answer.text == "through socks"
    assert [r.client_address for r in model_server.requests] == ["127.0.0.5"]


# httpcore2 leaves the socket to the SOCKS proxy open when the SOCKS handshake fails; it is
# collected here, inside the test, so its ResourceWarning is this test's and no other's.
SOCKS_HANDSHAKE_LEAK = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@SOCKS_HANDSHAKE_LEAK
def test_a_socks5_proxy_refusing_the_password_is_named(tmp_path: Path) -> None:
    waits: list[Wait] = []
    with Microsocks(tmp_path, credentials=("bob", "pa55")) as socks:
        wrong = socks.url.replace(":pa55@", ":nope@")
        with pytest.raises(ModelRejected) as info:
            client_for("http://127.0.0.1:9/v1", waits, all_proxy=wrong).complete(HELLO)
    assert info.value.message.startswith(
        f"The proxy at socks5://bob:***@127.0.0.1:{socks.port} refused the user name and password"
    )
    gc.collect()
    assert "ALL_PROXY" in info.value.message and "nope" not in info.value.message
    assert waits == []


def test_a_refused_endpoint_gets_two_quick_retries_naming_it() -> None:
    """OPENAI_MAX_RETRIES=6, yet nothing listening means two retries, 0.5 s and 1 s apart."""
    base = f"http://127.0.0.1:{free_port()}/v1"
    waits: list[Wait] = []
    client = client_for(base, waits, openai_max_retries=6, openai_retry_max_wait=60)
    with pytest.raises(ModelUnavailable) as info:
        client.complete(HELLO)
    assert [(attempt, total, seconds) for attempt, total, seconds, _ in waits] == [
        (1, 2, 0.5),
        (2, 2, 1.0),
    ]
    assert all(f.describe() == f"the model at {base}: connection refused" for *_, f in waits)
    assert info.value.message == (
        f"The model at {base} could not be reached after 3 attempts: connection refused. "
        f"Check OPENAI_API_BASE ({base})."
    )


def test_a_refused_proxy_is_named_in_every_retry_line(model_server: ModelServer) -> None:
    proxy = f"http://user:secret@127.0.0.1:{free_port()}"
    waits: list[Wait] = []
    with pytest.raises(ModelUnavailable) as info:
        client_for(model_server.base_url, waits, http_proxy=proxy).complete(HELLO)
    shown = proxy.replace(":secret@", ":***@")
    assert len(waits) == 2
    assert all(
        f.describe() == f"the proxy {shown} (for the model at {model_server.base_url}): "
        "connection refused"
        for *_, f in waits
    )
    assert info.value.message.endswith(
        f"through proxy {shown} after 3 attempts: connection refused (at the proxy). "
        f"Check HTTP_PROXY ({shown})."
    )
    assert "secret" not in info.value.message


@SOCKS_HANDSHAKE_LEAK
def test_an_endpoint_refused_behind_a_socks5_proxy_is_named_behind_it(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}/v1"
    waits: list[Wait] = []
    with Microsocks(tmp_path, credentials=("bob", "pa55")) as socks:
        with pytest.raises(ModelUnavailable):
            client_for(base, waits, http_proxy=socks.url, openai_max_retries=6).complete(HELLO)
    gc.collect()
    assert len(waits) == 2
    shown = f"socks5://bob:***@127.0.0.1:{socks.port}"
    expected = f"the model at {base} through proxy {shown}: connection refused"
    assert waits[0][3].describe() == expected


def test_a_server_error_retry_line_names_the_endpoint_and_the_error(
    model_server: ModelServer,
) -> None:
    model_server.add(server_error(503), reply("ok"))
    waits: list[Wait] = []
    assert client_for(model_server.base_url, waits).complete(HELLO).text == "ok"
    described = waits[0][3].describe()
    assert described.startswith(f"the model at {model_server.base_url}: HTTP 503 ")
    assert len(described) > len(f"the model at {model_server.base_url}: HTTP 503 ")


def test_a_name_that_does_not_resolve_gets_two_quick_retries_naming_it(tmp_path: Path) -> None:
    """The agent runs in a namespace whose name server is its own silent loopback: the lookup
    fails as with a mistyped host name, and no query leaves the namespace."""
    write_profile(tmp_path)
    base = "http://models.internal.example:8000/v1"
    env = agent_env(
        None,
        OPENAI_API_KEY="sk-test",
        OPENAI_API_BASE=base,
        OPENAI_MAX_RETRIES="6",
        OPENAI_RETRY_MAX_WAIT="60",
    )
    with OtherHost(resolver="127.0.0.1") as other:
        done = subprocess.run(
            [
                *other.prefix,
                sys.executable,
                "-m",
                "autogpt",
                "--continuous",
                "--continuous-limit",
                "1",
                "--skip-reprompt",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    retries = [line for line in done.stdout.splitlines() if "retry" in line]
    assert done.returncode == 3, done.stdout + done.stderr
    assert retries == [
        f"WARNING: Model request failed (the model at {base}: name not resolved), retry 1/2 in "
        "0.5 s",
        f"WARNING: Model request failed (the model at {base}: name not resolved), retry 2/2 in 1 s",
    ]
    assert f"Check OPENAI_API_BASE ({base})" in done.stdout


def test_a_socks4_proxy_for_the_model_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError) as info:
        client_for("https://api.openai.com/v1", all_proxy="socks4://u:pw@127.0.0.1:1080")
    assert info.value.exit_code == 2
    assert info.value.message.startswith(
        "ALL_PROXY=socks4://u:***@127.0.0.1:1080: the model client cannot use a SOCKS4 proxy"
    )
