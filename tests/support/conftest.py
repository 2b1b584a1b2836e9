"""Fixtures of the test servers' own tests."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from tests.support.model_server import ModelServer


@pytest.fixture
def client(model_server: ModelServer) -> Iterator[openai.OpenAI]:
    """The real openai client on the ``model_server`` fixture, without retries."""
    with openai.OpenAI(base_url=model_server.base_url, api_key="sk-test", max_retries=0) as c:
        yield c
