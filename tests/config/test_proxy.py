"""NO_PROXY, read once for every client (``autogpt.config.proxy``): a table of what goes direct."""

from __future__ import annotations

import pytest

from autogpt.config.proxy import proxy_for
from autogpt.config.settings import Settings

NO_PROXY_TABLE = [
    # (NO_PROXY, URL, goes direct)
    ("localhost,127.0.0.0/8,::1", "http://127.0.0.1:8080/v1", True),
    ("localhost,127.0.0.0/8,::1", "http://127.5.6.7/", True),
    ("localhost,127.0.0.0/8,::1", "http://[::1]:9000/", True),
    ("localhost,127.0.0.0/8,::1", "http://localhost:3000/", True),
    ("localhost,127.0.0.0/8,::1", "http://128.0.0.1/", False),
    ("localhost,127.0.0.0/8,::1", "https://api.openai.com/v1", False),
    ("10.0.0.0/8, 192.168.0.0/16", "http://10.20.30.40/", True),
    ("10.0.0.0/8, 192.168.0.0/16", "http://192.169.0.1/", False),
    ("fd00::/8", "http://[fd12::1]/", True),
    ("fd00::/8", "http://10.0.0.1/", False),
    ("[::1]", "http://[::1]/", True),
    ("::1", "http://[0:0:0:0:0:0:0:1]/", True),
    ("example.com", "https://example.com/", True),
    ("example.com", "https://www.example.com/", True),
    ("example.com", "https://notexample.com/", False),
    (".example.com", "https://example.com/", True),
    (".example.com", "https://a.b.example.com/", True),
    ("*.example.com", "https://a.example.com/", True),
    ("EXAMPLE.com", "https://Www.Example.COM./", True),
    ("example.com:8080", "http://example.com:8080/", True),
    ("example.com:8080", "http://example.com/", False),
    ("example.com:443", "https://example.com/", True),
    ("127.0.0.1:8080", "http://127.0.0.1:8080/", True),
    ("127.0.0.1:8080", "http://127.0.0.1:8081/", False),
    ("[::1]:8080", "http://[::1]:8080/", True),
    ("[::1]:8080", "http://[::1]:80/", False),
    ("*", "https://anything.example/", True),
    ("example.org, *", "http://10.1.1.1/", True),
    ("127.0.0.1", "http://127.0.0.2/", False),
    ("0.1", "http://127.0.0.1/", False),
    ("", "http://127.0.0.1/", False),
    ("not a/cidr,example.com:port", "http://example.com/", False),
]


@pytest.mark.parametrize(("no_proxy", "url", "direct"), NO_PROXY_TABLE)
def test_no_proxy_entry_decides_whether_a_url_goes_direct(
    no_proxy: str, url: str, direct: bool
) -> None:
    settings = Settings(
        _env_file=None,
        http_proxy="http://proxy.test:3128",
        https_proxy="http://proxy.test:3128",
        no_proxy=no_proxy,
    )
    assert (proxy_for(url, settings) is None) is direct


def test_proxy_is_chosen_by_scheme_then_all_proxy() -> None:
    settings = Settings(
        _env_file=None,
        http_proxy="http://h:1",
        all_proxy="socks5://a:2",
        no_proxy="localhost,127.0.0.0/8",
    )
    assert proxy_for("http://example.com/", settings) == "http://h:1"
    assert proxy_for("https://example.com/", settings) == "socks5://a:2"
    assert proxy_for("http://127.0.0.9:5/", settings) is None


def test_lower_case_no_proxy_from_the_environment_is_read(env: pytest.MonkeyPatch) -> None:
    env.delenv("NO_PROXY")
    env.setenv("no_proxy", "10.0.0.0/8")
    settings = Settings(_env_file=None, http_proxy="http://h:1")
    assert proxy_for("http://10.1.2.3/", settings) is None
    assert proxy_for("http://11.1.2.3/", settings) == "http://h:1"
