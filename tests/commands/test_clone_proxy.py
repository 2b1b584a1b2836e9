"""clone_repository through a real proxy on another host: tinyproxy (with a password) in a
network namespace of the test's own; its log shows that git's requests went through it.

The git server listens on this side's end of the veth pair; it stands in for GitHub.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autogpt.commands import git as git_commands
from autogpt.commands.registry import Registry
from autogpt.config.settings import load_settings
from tests.support.git_server import GitServer, make_repository
from tests.support.netns import OtherHost
from tests.support.real_proxies import Squid, Tinyproxy
from tests.web.conftest import make_ctx

REGISTRY = Registry.from_modules([git_commands])
TOKEN = "ghp_ProxiedToken0123456789"


def test_a_clone_goes_through_the_proxy_with_its_password_and_the_credentials(
    env: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "served"
    make_repository(root, {"README.md": "# Far away\n", "app.py": "print(1)\n"})
    with OtherHost() as other:
        proxy_auth = ("proxyuser", "proxy-pass-123")
        with (
            GitServer(root, host=other.host_address, credentials=("me", TOKEN)) as server,
            Tinyproxy(
                tmp_path / "proxy", host=other.address, prefix=other.prefix, credentials=proxy_auth
            ) as proxy,
        ):
            env.setenv("HTTP_PROXY", proxy.url)
            env.setenv("NO_PROXY", "localhost,127.0.0.0/8,::1")
            env.setenv("ALLOW_PRIVATE_URLS", "true")
            env.setenv("GITHUB_USERNAME", "me")
            env.setenv("GITHUB_API_KEY", TOKEN)
            env.setenv("GITHUB_HOSTS", server.url().rsplit("/", 1)[0])
            ctx = make_ctx(tmp_path, load_settings())
            result = REGISTRY.dispatch(
                "clone_repository", {"url": server.url(), "clone_path": "far"}, ctx
            )
            logged = proxy.requests()
            served = list(server.requests)
            url = server.url()
    assert result.ok, result.text
    assert (ctx.workspace.root / "far" / "app.py").read_text() == "print(1)\n"
    assert f"GET {url}/info/refs?service=git-upload-pack" in logged
    assert served and {r.client for r in served} == {other.address}
    assert all(r.authorized for r in served)
    shown = result.text + "".join(capfd.readouterr())
    assert TOKEN not in shown and "proxy-pass-123" not in shown
    config = (ctx.workspace.root / "far" / ".git" / "config").read_text()
    assert TOKEN not in config and "proxy-pass-123" not in config


def test_a_proxy_that_refuses_the_clone_is_named(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """squid with basic auth answers 407 to a wrong password, as a company proxy does."""
    root = tmp_path / "served"
    make_repository(root, {"README.md": "x\n"})
    with GitServer(root) as server, Squid(credentials=("u", "right-pass")) as proxy:
        env.setenv("HTTP_PROXY", proxy.url_with("u", "wrong-pass"))
        env.setenv("NO_PROXY", "")
        env.setenv("no_proxy", "")
        env.setenv("ALLOW_PRIVATE_URLS", "true")
        ctx = make_ctx(tmp_path, load_settings())
        result = REGISTRY.dispatch(
            "clone_repository", {"url": server.url(), "clone_path": "x"}, ctx
        )
        served, url = list(server.requests), server.url()
        denied = proxy.entries(at_least=1)
    assert not result.ok
    assert result.text == (
        f"Error: clone of {url} failed: the proxy from HTTP_PROXY "
        f"(http://u:***@127.0.0.1:{proxy.port}) refused its user name and password (HTTP 407)"
    )
    assert "wrong-pass" not in result.text
    assert served == []
    assert denied and all(e.startswith("TCP_DENIED/407") for e in denied)
    assert list(ctx.workspace.root.iterdir()) == []
